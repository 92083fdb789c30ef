"""What an issue would do for a year: a read-only plan, computed with set-based queries.

Rules 3-6 of DESIGN.md, exactly:

- a contract qualifies when its dates overlap the year, it is not cancelled, and its
  spend in the year is at least the year's threshold, or its lot is a consultancy lot
  (whatever its spend, even none);
- spend in the year is the sum of its valuations whose `period_end` falls in the year,
  summed as `Round(Sum(...), 2)` (on SQLite a SUM is a float) and rounded half-up again
  in Python;
- target = round_half_up(spend × credits_per_100k / 100,000, 2).

The plan is what `returns_issue` writes (or, in a dry run, only records) and what the
year's page shows. Its number of queries does not grow with the number of contracts.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal
from typing import NamedTuple

from django.db.models import (
    Count,
    DecimalField,
    Exists,
    F,
    FilteredRelation,
    OuterRef,
    Q,
    QuerySet,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce, Round

from accounts.models import SupplierContact
from core.numbers import round_money, target_for
from frameworks.models import Contract, Lot, Supplier, Valuation

from ...models import AnnualReturn, ReportingYear, ReturnLine

ZERO = Decimal("0.00")
PENNY = Decimal("0.01")
_MONEY = DecimalField(max_digits=16, decimal_places=2)
# Returns whose lines a re-issue may change (rule 6); imported returns never change.
CHANGEABLE = frozenset(AnnualReturn.EDITABLE)


def return_reference(year: ReportingYear, supplier_id: int) -> str:
    """`SV-2024-25-00123`: the year and the supplier's id, zero-padded."""
    return f"SV-{year.slug}-{supplier_id:05d}"


class QualifyingContract(NamedTuple):
    """A tuple rather than a dataclass: a large year has tens of thousands."""

    contract_id: int
    reference: str
    supplier_id: int
    member_id: int
    lot_id: int
    local_authority_id: int | None
    spend: Decimal
    target: Decimal
    is_consultancy: bool


@dataclass(frozen=True)
class ExistingReturn:
    id: int
    supplier_id: int
    reference: str
    status: str
    source: str

    @property
    def changeable(self) -> bool:
        return self.status in CHANGEABLE and self.source == AnnualReturn.Source.ISSUED


@dataclass(frozen=True)
class ExistingLine:
    id: int
    annual_return_id: int
    contract_id: int
    contract_reference: str
    spend: Decimal
    target: Decimal
    excluded: bool


@dataclass(frozen=True)
class LineChange:
    """A line whose spend or target a re-issue would change (or only lists)."""

    line_id: int
    annual_return_id: int
    contract_id: int
    contract_reference: str
    old_spend: Decimal
    new_spend: Decimal
    old_target: Decimal
    new_target: Decimal


@dataclass
class IssuePlan:
    year: ReportingYear
    qualifying: list[QualifyingContract]
    supplier_names: dict[int, str]
    lot_framework: dict[int, str]  # lot id: framework name
    existing_returns: dict[int, ExistingReturn]  # by supplier id
    # Writes an issue makes:
    new_supplier_ids: list[int] = field(default_factory=list)
    new_lines: list[QualifyingContract] = field(default_factory=list)
    added_lines: list[QualifyingContract] = field(default_factory=list)  # to open
    refreshed: list[LineChange] = field(default_factory=list)
    # Listed for the team, never changed:
    no_longer_qualifying: list[tuple[ExistingLine, Decimal]] = field(
        default_factory=list
    )
    locked_changes: list[LineChange] = field(default_factory=list)
    locked_additions: list[QualifyingContract] = field(default_factory=list)
    warnings: dict[str, int] = field(default_factory=dict)
    warning_examples: dict[str, list[str]] = field(default_factory=dict)

    @property
    def total_spend(self) -> Decimal:
        return sum((c.spend for c in self.qualifying), ZERO)

    @property
    def total_target(self) -> Decimal:
        return sum((c.target for c in self.qualifying), ZERO)

    @property
    def supplier_count(self) -> int:
        return len({c.supplier_id for c in self.qualifying})

    def by_framework(self) -> list[dict]:
        """Returns, lines, spend and target per framework, by framework name."""
        rows: dict[str, dict] = {}
        for contract in self.qualifying:
            name = self.lot_framework.get(contract.lot_id, "")
            row = rows.get(name)
            if row is None:
                row = rows[name] = {
                    "framework": name,
                    "suppliers": set(),
                    "lines": 0,
                    "spend": ZERO,
                    "target": ZERO,
                }
            row["suppliers"].add(contract.supplier_id)
            row["lines"] += 1
            row["spend"] += contract.spend
            row["target"] += contract.target
        result = []
        for name in sorted(rows):
            row = rows[name]
            row["returns"] = len(row.pop("suppliers"))
            result.append(row)
        return result

    def summary(self) -> dict:
        """Plain JSON for `IssueRun.summary` and the year's page."""
        references = {r.id: r.reference for r in self.existing_returns.values()}
        statuses = {r.id: r.status for r in self.existing_returns.values()}

        def change(row: LineChange) -> dict:
            return {
                "return": references.get(row.annual_return_id, ""),
                "status": statuses.get(row.annual_return_id, ""),
                "contract": row.contract_reference,
                "old_spend": str(row.old_spend),
                "new_spend": str(row.new_spend),
                "old_target": str(row.old_target),
                "new_target": str(row.new_target),
            }

        def addition(row: QualifyingContract) -> dict:
            existing = self.existing_returns.get(row.supplier_id)
            return {
                "return": existing.reference if existing else "",
                "status": existing.status if existing else "",
                "contract": row.reference,
                "spend": str(row.spend),
                "target": str(row.target),
            }

        return {
            "year": self.year.label,
            "returns": self.supplier_count,
            "lines": len(self.qualifying),
            "total_spend": str(self.total_spend),
            "total_target": str(self.total_target),
            "new_returns": len(self.new_supplier_ids),
            "new_lines": len(self.new_lines) + len(self.added_lines),
            "lines_added_to_open_returns": len(self.added_lines),
            "lines_refreshed": len(self.refreshed),
            "returns_refreshed": len({r.annual_return_id for r in self.refreshed}),
            "by_framework": [
                {
                    **row,
                    "spend": str(row["spend"]),
                    "target": str(row["target"]),
                }
                for row in self.by_framework()
            ],
            "added": [addition(row) for row in self.added_lines],
            "refreshed": [change(row) for row in self.refreshed],
            "no_longer_qualifying": [
                {
                    "return": references.get(line.annual_return_id, ""),
                    "status": statuses.get(line.annual_return_id, ""),
                    "contract": line.contract_reference,
                    "spend": str(line.spend),
                    "new_spend": str(new_spend),
                }
                for line, new_spend in self.no_longer_qualifying
            ],
            "locked_changes": [change(row) for row in self.locked_changes],
            "locked_additions": [addition(row) for row in self.locked_additions],
            "warnings": dict(self.warnings),
            "warning_examples": {k: v[:20] for k, v in self.warning_examples.items()},
        }


WARN_NO_MARCH_VALUATION = "no_valuation_for_last_quarter"
WARN_NO_ACTIVE_CONTACT = "suppliers_without_active_contact"
WARN_SPEND_OUTSIDE_DATES = "spend_outside_contract_dates"
WARN_INACTIVE_SUPPLIER = "inactive_suppliers"
WARNING_LABELS = {
    WARN_NO_MARCH_VALUATION: "Live contracts with no valuation for the quarter "
    "ending {ends_on:%-d %B %Y}",
    WARN_NO_ACTIVE_CONTACT: "Suppliers with no active contact (nobody will be told)",
    WARN_SPEND_OUTSIDE_DATES: "Contracts with spend in a quarter outside their dates",
    WARN_INACTIVE_SUPPLIER: "Deactivated suppliers with a qualifying contract",
}


def _quarter_start(period_end: datetime.date) -> datetime.date:
    month = period_end.month - 2
    return datetime.date(period_end.year, month, 1)


def _spend(value) -> Decimal:
    return round_money(value if value is not None else 0)


def with_spend_in_year(contracts: QuerySet, year: ReportingYear) -> QuerySet:
    """Rule 4 as an annotation `spend_in_year` on contracts: the sum of the
    valuations whose `period_end` falls in the year, rounded in the database only as
    `Round(Sum, 2)` (on SQLite a SUM is a float); `_spend` rounds it half-up again.
    Only the year's valuations are joined (as `in_year`), not every valuation."""
    return contracts.annotate(
        in_year=FilteredRelation(
            "valuations",
            condition=Q(
                valuations__period_end__gte=year.starts_on,
                valuations__period_end__lte=year.ends_on,
            ),
        )
    ).annotate(
        spend_in_year=Round(
            Coalesce(Sum("in_year__amount"), Value(0), output_field=_MONEY), 2
        )
    )


def qualifies(*, spend: Decimal, is_consultancy: bool, year: ReportingYear) -> bool:
    """Rule 3's spend test: at least the year's threshold, or a consultancy lot."""
    return spend >= year.spend_threshold or is_consultancy


def contract_spend_and_target(
    *, contract_id: int, year: ReportingYear
) -> tuple[Decimal, Decimal]:
    """One contract's spend in `year` and the target it gives, exactly as an issue
    computes them (rules 4 and 5, with the year's frozen rate). Reads only; called
    when the team corrects a line's valuations from a query."""
    raw = (
        with_spend_in_year(Contract.objects.filter(pk=contract_id), year)
        .values_list("spend_in_year", flat=True)
        .get()
    )
    spend = _spend(raw)
    return spend, target_for(spend, year.credits_per_100k)


def issue_plan(*, year: ReportingYear) -> IssuePlan:
    """What issuing `year` now would create, refresh and list. Reads only, with a
    fixed number of queries; only the contracts that qualify (or already have a
    line this year) come back to Python."""
    threshold = year.spend_threshold
    rate = year.credits_per_100k
    last_quarter_start = _quarter_start(year.ends_on)
    lines_this_year = ReturnLine.objects.filter(annual_return__year=year)
    # Lots are few: knowing the consultancy ones first spares the big query a join.
    lot_framework: dict[int, str] = {}
    consultancy_lots: set[int] = set()
    for lot_id, framework_name, is_consultancy in Lot.objects.order_by().values_list(
        "id", "framework__name", "is_consultancy"
    ):
        lot_framework[lot_id] = framework_name
        if is_consultancy:
            consultancy_lots.add(lot_id)
    candidates = (
        with_spend_in_year(
            Contract.objects.filter(
                starts_on__lte=year.ends_on, ends_on__gte=year.starts_on
            ).exclude(status=Contract.Status.CANCELLED),
            year,
        )
        .annotate(
            last_quarter_valuations=Count(
                "in_year", filter=Q(in_year__period_end=year.ends_on)
            ),
        )
        # The database only narrows the rows down (a penny on the generous side of
        # the threshold); whether a contract qualifies is decided below, in Python,
        # on the spend rounded half-up. Contracts with a line this year come back
        # for the lines that no longer qualify, and those with no valuation for the
        # last quarter for the warning.
        .filter(
            Q(spend_in_year__gte=threshold - PENNY)
            | Q(lot_id__in=consultancy_lots)
            | Q(pk__in=lines_this_year.values("contract_id"))
            | Q(
                status=Contract.Status.ACTIVE,
                ends_on__gte=last_quarter_start,
                last_quarter_valuations=0,
            )
        )
        .values_list(
            "id",
            "reference",
            "supplier_id",
            "member_id",
            "lot_id",
            "local_authority_id",
            "spend_in_year",
            "status",
            "ends_on",
            "last_quarter_valuations",
        )
        .order_by("supplier_id", "reference")
    )
    qualifying: list[QualifyingContract] = []
    spend_by_contract: dict[int, Decimal] = {}
    no_march: list[str] = []
    active = Contract.Status.ACTIVE
    for (
        contract_id,
        reference,
        supplier_id,
        member_id,
        lot_id,
        authority_id,
        raw_spend,
        status,
        ends_on,
        last_quarter_valuations,
    ) in candidates:
        # Every candidate overlaps the year, so it starts on or before its end.
        if (
            status == active
            and ends_on >= last_quarter_start
            and not last_quarter_valuations
        ):
            no_march.append(reference)
        spend = _spend(raw_spend)
        spend_by_contract[contract_id] = spend
        is_consultancy = lot_id in consultancy_lots
        if qualifies(spend=spend, is_consultancy=is_consultancy, year=year):
            qualifying.append(
                QualifyingContract(
                    contract_id,
                    reference,
                    supplier_id,
                    member_id,
                    lot_id,
                    authority_id,
                    spend,
                    target_for(spend, rate),
                    is_consultancy,
                )
            )

    supplier_ids = {c.supplier_id for c in qualifying}
    existing_returns = {
        row[1]: ExistingReturn(*row)
        for row in AnnualReturn.objects.filter(year=year).values_list(
            "id", "supplier_id", "reference", "status", "source"
        )
    }
    returns_by_id = {r.id: r for r in existing_returns.values()}
    existing_lines = [
        ExistingLine(
            id=pk,
            annual_return_id=return_id,
            contract_id=contract_id,
            contract_reference=contract_reference,
            spend=round_money(spend),
            target=target,
            excluded=excluded_at is not None,
        )
        for pk, return_id, contract_id, contract_reference, spend, target, excluded_at in (
            lines_this_year.order_by(
                "annual_return_id", "contract__reference"
            ).values_list(
                "id",
                "annual_return_id",
                "contract_id",
                "contract__reference",
                "spend",
                "target_credits",
                "excluded_at",
            )
        )
    ]
    lines_by_key = {
        (returns_by_id[line.annual_return_id].supplier_id, line.contract_id): line
        for line in existing_lines
    }
    supplier_names: dict[int, str] = {}
    inactive = []
    no_contact = []
    # Every supplier, rather than an IN list of thousands of ids: it is cheaper.
    for pk, name, is_active, has_contact in (
        Supplier.objects.order_by()
        .annotate(
            has_contact=Exists(
                SupplierContact.objects.filter(
                    supplier=OuterRef("pk"), is_active=True, user__is_active=True
                )
            )
        )
        .values_list("id", "name", "is_active", "has_contact")
    ):
        if pk not in supplier_ids:
            continue
        supplier_names[pk] = name
        if not is_active:
            inactive.append(name)
        if not has_contact:
            no_contact.append(name)

    plan = IssuePlan(
        year=year,
        qualifying=qualifying,
        supplier_names=supplier_names,
        lot_framework=lot_framework,
        existing_returns=existing_returns,
    )
    plan.new_supplier_ids = sorted(supplier_ids - set(existing_returns))
    for contract in qualifying:
        existing = existing_returns.get(contract.supplier_id)
        if existing is None:
            plan.new_lines.append(contract)
            continue
        line = lines_by_key.get((contract.supplier_id, contract.contract_id))
        if line is None:
            if existing.changeable:
                plan.added_lines.append(contract)
            else:
                plan.locked_additions.append(contract)
        elif (line.spend, line.target) != (contract.spend, contract.target):
            change = LineChange(
                line_id=line.id,
                annual_return_id=line.annual_return_id,
                contract_id=contract.contract_id,
                contract_reference=contract.reference,
                old_spend=line.spend,
                new_spend=contract.spend,
                old_target=line.target,
                new_target=contract.target,
            )
            if existing.changeable:
                plan.refreshed.append(change)
            else:
                plan.locked_changes.append(change)
    qualifying_ids = {c.contract_id for c in qualifying}
    for line in existing_lines:
        if line.contract_id not in qualifying_ids and not line.excluded:
            plan.no_longer_qualifying.append(
                (line, spend_by_contract.get(line.contract_id, ZERO))
            )

    outside = _spend_outside_dates(year)
    no_contact.sort()
    plan.warnings = {
        WARN_NO_MARCH_VALUATION: len(no_march),
        WARN_NO_ACTIVE_CONTACT: len(no_contact),
        WARN_SPEND_OUTSIDE_DATES: len(outside),
        WARN_INACTIVE_SUPPLIER: len(inactive),
    }
    plan.warning_examples = {
        WARN_NO_MARCH_VALUATION: no_march,
        WARN_NO_ACTIVE_CONTACT: no_contact,
        WARN_SPEND_OUTSIDE_DATES: outside,
        WARN_INACTIVE_SUPPLIER: sorted(inactive),
    }
    return plan


def _spend_outside_dates(year: ReportingYear) -> list[str]:
    """Contracts with a valuation in the year whose quarter misses their dates
    (accepted by the import with a warning: final accounts come after completion)."""
    candidates = (
        Valuation.objects.filter(
            period_end__gte=year.starts_on, period_end__lte=year.ends_on
        )
        .exclude(contract__status=Contract.Status.CANCELLED)
        .filter(
            Q(period_end__lt=F("contract__starts_on"))
            | Q(period_end__gt=F("contract__ends_on"))
        )
        .order_by()
        .values_list("contract__reference", "period_end", "contract__ends_on")
    )
    references = set()
    for reference, period_end, ends_on in candidates:
        # Ends before the contract starts, or starts after it has ended.
        if period_end <= ends_on or _quarter_start(period_end) > ends_on:
            references.add(reference)
    return sorted(references)
