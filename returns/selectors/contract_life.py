"""A contract over its whole life: each year it was on a return (the line's snapshot
of member, lot, spend and target; what was delivered; the shortfall and the recovery
plan) and its position to date (DESIGN "Contract to date").

The figures follow `returns.figures`: delivered counts approved returns only; what a
submitted return holds is "awaiting review"; an excluded line, or a line of a return
marked not required, counts nowhere. The to-date figure is `figures.contract_to_date`
itself, so it is the same number as on the shortfall pages.
"""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import QuerySet, Sum

from core.numbers import round_credits
from frameworks.models import Contract, DeliveryPlanItem, Valuation
from returns.figures import (
    AT_RISK_DAYS,
    ZERO,
    ContractToDate,
    contract_to_date,
    contracts_to_date,
    counted_lines,
    to_date_rows,
)
from returns.models import AnnualReturn, CaseStudy, Evidence, ReturnEntry, ReturnLine

S = AnnualReturn.Status


@dataclass
class LineYear:
    line: ReturnLine
    counted: bool
    target: Decimal
    delivered: Decimal  # approved returns only
    awaiting_review: Decimal
    entered: Decimal  # what the supplier has entered, whatever the status
    date_passed: bool = False  # its recovery date is before today

    @property
    def year(self):
        return self.line.annual_return.year

    @property
    def shortfall(self) -> Decimal:
        """As every shortfall page: target less delivered (approved only)."""
        if not self.counted:
            return ZERO
        return max(self.target - self.delivered, ZERO)

    @property
    def pending(self) -> Decimal:
        """Entered but not (yet) approved: a return being filled in, submitted or
        sent back. Not delivered until the team approves it."""
        if not self.counted or self.line.annual_return.status == S.APPROVED:
            return ZERO
        return self.entered

    def recovery_passed(self, today: datetime.date) -> bool:
        return bool(self.line.recovery_by and self.line.recovery_by < today)


@dataclass
class PlanRow:
    measure: object
    committed: Decimal
    delivered: Decimal  # approved, over the contract's life


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
        return [row for row in self.years if row.line.recovery_plan]

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


def contract_lines(contract: Contract) -> QuerySet[ReturnLine]:
    return (
        ReturnLine.objects.filter(contract=contract)
        .select_related(
            "annual_return__year",
            "annual_return__supplier",
            "member",
            "lot__framework",
        )
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
        date_passed=bool(today and line.recovery_by and line.recovery_by < today),
    )


def _plan(contract: Contract) -> list[PlanRow]:
    delivered = dict(
        ReturnEntry.objects.filter(
            line__contract=contract,
            line__excluded_at__isnull=True,
            line__annual_return__status=S.APPROVED,
        )
        .order_by()
        .values_list("measure_id")
        .annotate(total=Sum("quantity"))
    )
    items = DeliveryPlanItem.objects.filter(contract=contract).select_related("measure")
    return [
        PlanRow(
            measure=item.measure,
            committed=item.committed_quantity,
            delivered=Decimal(delivered.get(item.measure_id) or 0).quantize(
                Decimal("0.01")
            ),
        )
        for item in sorted(items, key=lambda i: (i.measure.position, i.measure.code))
    ]


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
    of "Your contracts", a line's context): two queries whatever their number. The
    years are those of `contract_lines`, the to-date figure `contracts_to_date`, as
    on the team's contract page; the plan, valuations and attachments are not read."""
    contracts = list(contracts)
    ids = [contract.pk for contract in contracts]
    years: dict[int, list[LineYear]] = {pk: [] for pk in ids}
    for line in (
        ReturnLine.objects.filter(contract_id__in=ids)
        .select_related("annual_return__year")
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


def contract_life(*, contract: Contract, today: datetime.date) -> ContractLife:
    """Everything the team's contract page shows: a fixed number of queries."""
    lines = list(contract_lines(contract))
    return ContractLife(
        contract=contract,
        today=today,
        years=[_line_year(line, today) for line in lines],
        to_date=contract_to_date(contract_id=contract.pk),
        plan=_plan(contract),
        valuations=list(
            Valuation.objects.filter(contract=contract).order_by("period_end")
        ),
        evidence=list(
            Evidence.objects.filter(line__contract=contract, erased_at__isnull=True)
            .select_related("line__annual_return__year")
            .order_by("-uploaded_at")
        ),
        case_studies=list(
            CaseStudy.objects.filter(line__contract=contract, erased_at__isnull=True)
            .select_related("line__annual_return__year")
            .order_by("-pk")
        ),
    )
