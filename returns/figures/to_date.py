"""Contract to date: target, delivered and awaiting review summed over all the years
that have a line for the contract; at risk and ended short.

- At risk: ends within 183 days of today (London) and below target to date.
- Ended short: has ended and is below target to date.
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, F, QuerySet

from portal.numbers import round_credits

from ..models import ReturnLine
from .lines import AT_RISK_DAYS, FIGURES, ZERO, counted_lines
from .outer import IS_SHORT, SHORT, Rows, credits, fetch, subquery
from .shortfall import ShortfallRow


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
    """Contracts' to-date figures (`contracts_to_date`, filtered and ordered) for a
    page: a slice fetches its rows only; `total()` sums every row in one query, and
    counts them."""

    def __init__(self, queryset: QuerySet):
        super().__init__()
        self.queryset = queryset

    def _sql(self) -> tuple[str, tuple]:
        sql, params = self.queryset.query.sql_with_params()
        return sql, tuple(params)

    def _select(self, limit: int | None = None, offset: int = 0) -> list:
        if limit is None:
            return _to_date_rows(self.queryset)
        return _to_date_rows(self.queryset[offset : offset + limit])

    def total(self) -> ShortfallRow:
        per_contract, params = subquery(self.queryset.order_by())
        sql = f"""
            SELECT ROUND(SUM(target), 2), ROUND(SUM(delivered), 2),
                ROUND(SUM(awaiting_review), 2), ROUND(SUM({SHORT}), 2),
                SUM({IS_SHORT}), COUNT(*)
            FROM {per_contract} per_contract
        """  # noqa: S608 (our own SQL; every value is a parameter)
        ((target, delivered, awaiting, short, contracts_short, count),) = fetch(
            sql, params
        )
        self._count = count
        return ShortfallRow(
            key=0,
            name="Total",
            target=credits(target),
            delivered=credits(delivered),
            awaiting_review=credits(awaiting),
            shortfall=credits(short),
            contracts=count,
            contracts_short=int(contracts_short or 0),
        )


def at_risk_list(
    *, today: datetime.date, lines: QuerySet[ReturnLine] | None = None
) -> ContractList:
    """Contracts ending within 183 days of today and below target to date, soonest
    first."""
    return ContractList(
        contracts_to_date(lines=lines)
        .filter(
            contract__ends_on__gte=today,
            contract__ends_on__lte=today + datetime.timedelta(days=AT_RISK_DAYS),
            delivered__lt=F("target"),
        )
        .order_by("contract__ends_on", "contract__reference")
    )


def ended_short_list(
    *, today: datetime.date, lines: QuerySet[ReturnLine] | None = None
) -> ContractList:
    """Contracts that have ended below target to date, latest ended first."""
    return ContractList(
        contracts_to_date(lines=lines)
        .filter(contract__ends_on__lt=today, delivered__lt=F("target"))
        .order_by("-contract__ends_on", "contract__reference")
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
