"""Contract to date: target, delivered and awaiting review summed over all the years
that have a line for the contract; at risk and ended short.

- At risk: ends within 183 days of today (London) and below target to date.
- Ended short: has ended and is below target to date.
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, F, QuerySet

from core.numbers import round_credits

from ..models import ReturnLine
from .lines import AT_RISK_DAYS, FIGURES, ZERO, counted_lines
from .outer import IS_SHORT, SHORT, Rows, as_date, credits, subquery
from .shortfall import ShortfallRow
from .summary import contracts_to_date_from_summary, is_summary


@dataclass(frozen=True)
class ContractToDate:
    contract_id: int
    reference: str
    title: str
    supplier: str
    member: str
    ends_on: datetime.date
    status: str
    target: Decimal
    delivered: Decimal
    awaiting_review: Decimal
    years: int

    @property
    def shortfall(self) -> Decimal:
        return max(self.target - self.delivered, ZERO)

    @property
    def below_target(self) -> bool:
        return self.delivered < self.target

    def days_left(self, today: datetime.date) -> int:
        return (self.ends_on - today).days


def contracts_to_date(*, lines: QuerySet[ReturnLine] | None = None) -> QuerySet:
    """Per contract over all its years: target, delivered, awaiting review, and how
    many years have a counted line. Filter `lines` to scope (a member, a supplier)."""
    lines = counted_lines() if lines is None else lines
    return (
        lines.order_by()
        .values(
            "contract_id",
            "contract__reference",
            "contract__title",
            "contract__supplier__name",
            "contract__member__name",
            "contract__ends_on",
            "contract__status",
        )
        .annotate(
            target=FIGURES["target"](),
            delivered=FIGURES["delivered"](),
            awaiting_review=FIGURES["awaiting_review"](),
            years=Count("annual_return__year", distinct=True),
        )
    )


def _to_date_rows(rows) -> list[ContractToDate]:
    return [
        ContractToDate(
            contract_id=row["contract_id"],
            reference=row["contract__reference"],
            title=row["contract__title"],
            supplier=row["contract__supplier__name"],
            member=row["contract__member__name"],
            ends_on=row["contract__ends_on"],
            status=row["contract__status"],
            target=round_credits(row["target"] or 0),
            delivered=round_credits(row["delivered"] or 0),
            awaiting_review=round_credits(row["awaiting_review"] or 0),
            years=row["years"],
        )
        for row in rows
    ]


class ContractList(Rows):
    """Contracts' to-date figures (`contracts_to_date`, filtered) for a page,
    ordered by `order` (columns of `contracts_to_date`, "-" first for descending):
    `page()` is one query for a page's rows, the total and the count."""

    TOTALS = {
        "target": ("target", True),
        "delivered": ("delivered", True),
        "awaiting_review": ("awaiting_review", True),
        "shortfall": (SHORT, True),
        "contracts_short": (IS_SHORT, False),
    }

    def __init__(self, queryset: QuerySet, *, order: tuple[str, ...]):
        self.queryset = queryset
        self.order = order

    def _rows(self) -> tuple[str, tuple]:
        sql, params = subquery(self.queryset.order_by())
        return sql.removeprefix("(").removesuffix(")"), params

    def _order(self, table: str) -> str:
        return ", ".join(
            f'{table}."{column.removeprefix("-")}"'
            + (" DESC" if column.startswith("-") else "")
            for column in self.order
        )

    def _make(self, rows: list[dict]) -> list[ContractToDate]:
        for row in rows:
            row["contract__ends_on"] = as_date(row["contract__ends_on"])
        return _to_date_rows(rows)

    def _make_total(self, sums: dict) -> ShortfallRow:
        return ShortfallRow(
            key=0,
            name="Total",
            target=credits(sums["target"]),
            delivered=credits(sums["delivered"]),
            awaiting_review=credits(sums["awaiting_review"]),
            shortfall=credits(sums["shortfall"]),
            contracts_short=int(sums["contracts_short"] or 0),
        )

    def _total_of(self, row: dict) -> tuple[ShortfallRow, int]:
        total, count = super()._total_of(row)
        total.contracts = count
        return total, count


def _to_date(lines: QuerySet | None) -> QuerySet:
    # `lines`: counted lines, or to-date rows of the summary (`to_date_summary`).
    if lines is not None and is_summary(lines):
        return contracts_to_date_from_summary(lines)
    return contracts_to_date(lines=lines)


def at_risk_list(
    *,
    today: datetime.date,
    lines: QuerySet | None = None,
    to_date: QuerySet | None = None,
) -> ContractList:
    """Contracts ending within 183 days of today and below target to date, soonest
    first. `lines`: counted lines (`shortfall_lines`), or the summary's to-date rows
    (`to_date_summary`); or `to_date`, rows shaped as `contracts_to_date`'s
    (`member_to_date_from_summary`)."""
    rows = _to_date(lines) if to_date is None else to_date
    return ContractList(
        rows.filter(
            contract__ends_on__gte=today,
            contract__ends_on__lte=today + datetime.timedelta(days=AT_RISK_DAYS),
            delivered__lt=F("target"),
        ).order_by("contract__ends_on", "contract__reference"),
        order=("contract__ends_on", "contract__reference"),
    )


def ended_short_list(
    *,
    today: datetime.date,
    lines: QuerySet | None = None,
    to_date: QuerySet | None = None,
) -> ContractList:
    """Contracts that have ended below target to date, latest ended first. `lines`
    as `at_risk_list`'s."""
    rows = _to_date(lines) if to_date is None else to_date
    return ContractList(
        rows.filter(contract__ends_on__lt=today, delivered__lt=F("target")).order_by(
            "-contract__ends_on", "contract__reference"
        ),
        order=("-contract__ends_on", "contract__reference"),
    )


def contracts_at_risk(
    *, today: datetime.date, lines: QuerySet[ReturnLine] | None = None
) -> list[ContractToDate]:
    return list(at_risk_list(today=today, lines=lines))


def contracts_ended_short(
    *, today: datetime.date, lines: QuerySet[ReturnLine] | None = None
) -> list[ContractToDate]:
    return list(ended_short_list(today=today, lines=lines))


def contract_to_date(*, contract_id: int) -> ContractToDate | None:
    rows = _to_date_rows(
        contracts_to_date(lines=counted_lines().filter(contract_id=contract_id))
    )
    return rows[0] if rows else None


def to_date_rows(rows) -> list[ContractToDate]:
    return _to_date_rows(rows)


def shortfall_total_of_contracts(rows: list[ContractToDate]) -> ShortfallRow:
    """The sum of a list of contracts' to-date figures (at risk, ended short)."""
    total = ShortfallRow(key=0, name="Total")
    for row in rows:
        total.add(
            target=row.target,
            delivered=row.delivered,
            awaiting_review=row.awaiting_review,
        )
    return total
