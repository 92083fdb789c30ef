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


def contracts_at_risk(
    *, today: datetime.date, lines: QuerySet[ReturnLine] | None = None
) -> list[ContractToDate]:
    """Contracts ending within 183 days of today and below target to date, soonest
    first."""
    rows = (
        contracts_to_date(lines=lines)
        .filter(
            contract__ends_on__gte=today,
            contract__ends_on__lte=today + datetime.timedelta(days=AT_RISK_DAYS),
            delivered__lt=F("target"),
        )
        .order_by("contract__ends_on", "contract__reference")
    )
    return _to_date_rows(rows)


def contracts_ended_short(
    *, today: datetime.date, lines: QuerySet[ReturnLine] | None = None
) -> list[ContractToDate]:
    rows = (
        contracts_to_date(lines=lines)
        .filter(contract__ends_on__lt=today, delivered__lt=F("target"))
        .order_by("-contract__ends_on", "contract__reference")
    )
    return _to_date_rows(rows)


def contract_to_date(*, contract_id: int) -> ContractToDate | None:
    rows = _to_date_rows(
        contracts_to_date(lines=counted_lines().filter(contract_id=contract_id))
    )
    return rows[0] if rows else None


def to_date_rows(rows) -> list[ContractToDate]:
    return _to_date_rows(rows)
