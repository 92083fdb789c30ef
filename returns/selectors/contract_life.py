"""A contract over its whole life: each year it was on a return (the line's snapshot
of member, lot, spend and target; what was delivered; the shortfall and the recovery
plan) and its position to date (DESIGN "Contract to date").

The team sees every year; a member (`contract_life(member=...)`) sees only the years
the contract was theirs ("while it has been yours", as on the member's year page),
and only what approved returns say: their to date is the approved years with them,
and a return not yet approved shows its state and deadline, never its figures.

The figures follow `returns.figures`: delivered counts approved returns only; what a
submitted return holds is "awaiting review"; an excluded line, or a line of a return
marked not required, counts nowhere. The to-date figure is `figures.contract_to_date`
itself, so it is the same number as on the shortfall pages.
"""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Prefetch, QuerySet, Sum
from django.http import Http404

from core.numbers import round_credits
from frameworks.models import Contract, DeliveryPlanItem, Member, Valuation
from returns.figures import (
    AT_RISK_DAYS,
    ZERO,
    ContractToDate,
    contract_to_date,
    contracts_to_date,
    counted_lines,
    plan_share,
    to_date_rows,
)
from returns.figures.summary import member_to_date_from_summary
from returns.models import (
    AnnualReturn,
    CaseStudy,
    Evidence,
    Measure,
    MemberCheck,
    ReturnEntry,
    ReturnLine,
)

S = AnnualReturn.Status


@dataclass
class LineYear:
    line: ReturnLine
    counted: bool
    target: Decimal
    delivered: Decimal  # approved returns only
    awaiting_review: Decimal
    entered: Decimal  # what the supplier has entered, whatever the status
    checks: list[MemberCheck] = field(default_factory=list)
    date_passed: bool = False  # its recovery date is before today

    @property
    def pending(self) -> Decimal:
        """Entered but not (yet) approved: a return being filled in, submitted or
        sent back. Not delivered until the team approves it."""
        if not self.counted or self.line.annual_return.status == S.APPROVED:
            return ZERO
        return self.entered

    @property
    def year(self):
        return self.line.annual_return.year

    @property
    def approved(self) -> bool:
        return self.line.annual_return.status == S.APPROVED

    @property
    def check(self) -> MemberCheck | None:
        """The member's word the line shows (`member_checks.check_stands`)."""
        from returns.selectors.member_checks import standing_check

        return standing_check(self.checks, self.line.annual_return)

    @property
    def open_dispute(self) -> MemberCheck | None:
        return next((c for c in self.checks if c.is_open_dispute), None)

    @property
    def answered_disputes(self) -> list[MemberCheck]:
        return [c for c in self.checks if c.kind == "disputed" and c.answered_at]

    def deadline(self):
        return self.line.annual_return.effective_deadline

    def is_overdue(self, today: datetime.date) -> bool:
        return (
            self.line.annual_return.status in (S.NOT_STARTED, S.IN_PROGRESS)
            and today > self.deadline()
        )

    @property
    def shortfall(self) -> Decimal:
        """As every shortfall page: target less delivered (approved only)."""
        if not self.counted:
            return ZERO
        return max(self.target - self.delivered, ZERO)

    def recovery_passed(self, today: datetime.date) -> bool:
        return bool(self.line.recovery_by and self.line.recovery_by < today)


@dataclass
class PlanRow:
    measure: object
    committed: Decimal | None  # over the whole contract; None: not in the plan
    delivered: Decimal  # approved, over the years shown
    pro_rata_to_date: Decimal | None  # the plan's share of the years delivered covers

    @property
    def short_to_date(self) -> Decimal | None:
        if self.pro_rata_to_date is None:
            return None
        return max(self.pro_rata_to_date - self.delivered, ZERO)

    @property
    def still_to_deliver(self) -> Decimal | None:
        if self.committed is None:
            return None
        return max(self.committed - self.delivered, ZERO)


@dataclass
class ContractLife:
    contract: Contract
    today: datetime.date
    years: list[LineYear]
    to_date: ContractToDate | None
    plan: list[PlanRow] = field(default_factory=list)
    valuations: list[Valuation] = field(default_factory=list)
    evidence: list[Evidence] = field(default_factory=list)
    case_studies: list[CaseStudy] = field(default_factory=list)
    member: Member | None = None  # the member whose page it is; None for the team
    other_member_years: list[str] = field(default_factory=list)  # labels, hidden

    @property
    def current(self) -> LineYear | None:
        """The latest year shown: the current return's line."""
        return self.years[-1] if self.years else None

    @property
    def current_overdue(self) -> bool:
        return bool(self.current and self.current.is_overdue(self.today))

    @property
    def target(self) -> Decimal:
        return self.to_date.target if self.to_date else ZERO

    @property
    def delivered(self) -> Decimal:
        return self.to_date.delivered if self.to_date else ZERO

    @property
    def awaiting_review(self) -> Decimal:
        return self.to_date.awaiting_review if self.to_date else ZERO

    @property
    def shortfall(self) -> Decimal:
        return max(self.target - self.delivered, ZERO)

    @property
    def has_ended(self) -> bool:
        return self.contract.ends_on < self.today

    @property
    def at_risk(self) -> bool:
        ends = self.contract.ends_on
        return (
            self.today <= ends <= self.today + datetime.timedelta(days=AT_RISK_DAYS)
            and self.delivered < self.target
        )

    @property
    def ended_short(self) -> bool:
        return self.has_ended and self.delivered < self.target

    @property
    def recovery_plans(self) -> list[LineYear]:
        return [
            row
            for row in self.years
            if row.line.recovery_plan and (self.member is None or row.approved)
        ]

    @property
    def pending(self) -> Decimal:
        """Entered on returns not yet approved, over the years that count."""
        return round_credits(sum((row.pending for row in self.years), ZERO))

    @property
    def still_needed(self) -> Decimal:
        """Credits still to deliver before the contract's end: the shortfall to
        date (approved figures only, as every shortfall page)."""
        return self.shortfall

    @property
    def still_needed_after_pending(self) -> Decimal:
        """What would still be needed once every figure entered is approved."""
        return max(self.target - self.delivered - self.pending, ZERO)

    def earlier_recovery_plans(self, before) -> list[LineYear]:
        """Recovery plans given in years before `before` (a reporting year)."""
        return [
            row for row in self.recovery_plans if row.year.starts_on < before.starts_on
        ]


def _member_checks() -> Prefetch:
    """Each line's member checks, with what the pages show of them."""
    return Prefetch(
        "member_checks",
        queryset=MemberCheck.objects.select_related("measure", "raised_by"),
    )


def contract_lines(contract: Contract) -> QuerySet[ReturnLine]:
    return (
        ReturnLine.objects.filter(contract=contract)
        .select_related(
            "annual_return__year",
            "annual_return__supplier",
            "member",
            "lot__framework",
        )
        .prefetch_related(_member_checks())
        .order_by("annual_return__year__starts_on", "pk")
    )


def _line_year(line: ReturnLine, today: datetime.date | None = None) -> LineYear:
    status = line.annual_return.status
    counted = line.excluded_at is None and status != S.NOT_REQUIRED
    entered = round_credits(line.delivered_credits)
    return LineYear(
        line=line,
        counted=counted,
        target=round_credits(line.target_credits) if counted else ZERO,
        delivered=entered if counted and status == S.APPROVED else ZERO,
        awaiting_review=entered if counted and status == S.SUBMITTED else ZERO,
        entered=entered,
        checks=list(line.member_checks.all()),
        date_passed=bool(today and line.recovery_by and line.recovery_by < today),
    )


def _plan(contract: Contract, years: list[LineYear]) -> list[PlanRow]:
    """The delivery plan by measure against what approved returns delivered over the
    years shown, and the plan's pro-rata share of those years (`plan_share`, the
    review's big-change reference, summed): "pro rata to date" covers exactly the
    years whose delivery is counted, so the two compare like with like."""
    delivered_years = [row for row in years if row.counted and row.approved]
    delivered = dict(
        ReturnEntry.objects.filter(line__in=[row.line.pk for row in delivered_years])
        .order_by()
        .values_list("measure_id")
        .annotate(total=Sum("quantity"))
    )
    items = list(
        DeliveryPlanItem.objects.filter(contract=contract).select_related("measure")
    )
    rows = []
    for item in sorted(items, key=lambda i: (i.measure.position, i.measure.code)):
        share = sum(
            (
                plan_share(
                    item.committed_quantity,
                    contract_starts=contract.starts_on,
                    contract_ends=contract.ends_on,
                    year_starts=row.year.starts_on,
                    year_ends=row.year.ends_on,
                )
                for row in delivered_years
            ),
            ZERO,
        )
        rows.append(
            PlanRow(
                measure=item.measure,
                committed=item.committed_quantity,
                delivered=round_credits(delivered.get(item.measure_id) or 0),
                pro_rata_to_date=share,
            )
        )
    # Measures delivered that the plan does not name: shown after the plan's.
    planned = {item.measure_id for item in items}
    unplanned = [pk for pk in delivered if pk not in planned and delivered[pk]]
    for measure in Measure.objects.filter(pk__in=unplanned).order_by(
        "position", "code"
    ):
        rows.append(
            PlanRow(
                measure=measure,
                committed=None,
                delivered=round_credits(delivered[measure.pk]),
                pro_rata_to_date=None,
            )
        )
    return rows


def _member_to_date(contract: Contract, member: Member) -> ContractToDate | None:
    """The member's to date: the approved years the contract was theirs (as the
    member's year page counts it), through `figures.contracts_to_date`."""
    rows = to_date_rows(
        member_to_date_from_summary(member_id=member.pk, contract_ids=[contract.pk])
    )
    return rows[0] if rows else None


def supplier_contracts(*, supplier) -> QuerySet[Contract]:
    """The contracts a supplier sees on "Your contracts", ending soonest first:
    theirs now, and on at least one of their returns (a contract novated to another
    supplier leaves)."""
    return (
        Contract.objects.filter(
            supplier=supplier,
            pk__in=ReturnLine.objects.filter(annual_return__supplier=supplier).values(
                "contract_id"
            ),
        )
        .select_related("member")
        .order_by("ends_on", "reference")
    )


def still_needed_total(*, contracts: QuerySet[Contract], today: datetime.date):
    """Σ over contracts that have not ended of the credits still needed (each
    contract's shortfall to date, `contracts_to_date`). One query."""
    rows = to_date_rows(
        contracts_to_date(
            lines=counted_lines().filter(
                contract__in=contracts.filter(ends_on__gte=today).values("pk")
            )
        )
    )
    return round_credits(sum((row.shortfall for row in rows), ZERO))


def contracts_life(
    *, contracts: Iterable[Contract], today: datetime.date
) -> list[ContractLife]:
    """The years and to-date position of many contracts, in the order given (a page
    of "Your contracts", a line's context): three queries whatever their number. The
    years are those of `contract_lines`, the to-date figure `contracts_to_date`, as
    on the team's contract page; the plan, valuations and attachments are not read."""
    contracts = list(contracts)
    ids = [contract.pk for contract in contracts]
    years: dict[int, list[LineYear]] = {pk: [] for pk in ids}
    for line in (
        ReturnLine.objects.filter(contract_id__in=ids)
        .select_related("annual_return__year")
        .prefetch_related(_member_checks())
        .order_by("annual_return__year__starts_on", "pk")
    ):
        years[line.contract_id].append(_line_year(line, today))
    to_date = {
        row.contract_id: row
        for row in to_date_rows(
            contracts_to_date(lines=counted_lines().filter(contract_id__in=ids))
        )
    }
    return [
        ContractLife(
            contract=contract,
            today=today,
            years=years[contract.pk],
            to_date=to_date.get(contract.pk),
        )
        for contract in contracts
    ]


def contract_life(
    *, contract: Contract, today: datetime.date, member: Member | None = None
) -> ContractLife:
    """Everything a contract's page shows, for the team (`member=None`) or for one
    member (its years with them; approved figures only): a fixed number of
    queries, whatever the number of years."""
    lines = list(contract_lines(contract))
    if member is None:
        return ContractLife(
            contract=contract,
            today=today,
            years=[_line_year(line, today) for line in lines],
            to_date=contract_to_date(contract_id=contract.pk),
            plan=_plan(contract, [_line_year(line, today) for line in lines]),
            valuations=list(
                Valuation.objects.filter(contract=contract).order_by("period_end")
            ),
            evidence=list(
                Evidence.objects.filter(line__contract=contract, erased_at__isnull=True)
                .select_related("line__annual_return__year")
                .order_by("-uploaded_at")
            ),
            case_studies=list(
                CaseStudy.objects.filter(
                    line__contract=contract, erased_at__isnull=True
                )
                .select_related("line__annual_return__year")
                .order_by("-pk")
            ),
        )
    years = [_line_year(line, today) for line in lines if line.member_id == member.pk]
    other_years = sorted(
        {line.annual_return.year.label for line in lines if line.member_id != member.pk}
    )
    approved_lines = [row.line.pk for row in years if row.approved and row.counted]
    return ContractLife(
        contract=contract,
        today=today,
        years=years,
        to_date=_member_to_date(contract, member),
        plan=_plan(contract, years),
        evidence=list(
            Evidence.objects.filter(
                line__in=approved_lines,
                erased_at__isnull=True,
                member_approved_at__isnull=False,
            )
            .select_related("line__annual_return__year")
            .order_by("-uploaded_at")
        ),
        case_studies=list(
            CaseStudy.objects.filter(
                line__in=approved_lines,
                share_with_member=True,
                erased_at__isnull=True,
            )
            .select_related("line__annual_return__year")
            .order_by("-pk")
        ),
        member=member,
        other_member_years=other_years,
    )


def member_contract_get(*, member: Member | None, contract_id: int) -> Contract:
    """A contract the member may open: one that has been theirs on a return, or is
    theirs now. Anyone else's is a 404, never a 403 (its existence is not theirs)."""
    if member is None:
        raise Http404
    contract = (
        Contract.objects.select_related(
            "supplier", "member", "lot__framework", "local_authority"
        )
        .filter(pk=contract_id)
        .first()
    )
    if contract is None:
        raise Http404
    if (
        contract.member_id != member.pk
        and not ReturnLine.objects.filter(contract=contract, member=member).exists()
    ):
        raise Http404
    return contract
