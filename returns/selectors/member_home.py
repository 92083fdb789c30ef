"""What a member's home page leads with: the contracts that need their attention.

- At risk and ended short are `figures.at_risk_list` / `ended_short_list` (the
  team's lists), over the member's approved lines of contracts that are still
  theirs: to date "while it has been yours", as every figure on the member's
  pages.
- Returns not in after their deadline: lines on the member's contracts of returns
  that are overdue (`figures.overdue_filter`, the completion page's rule).

Each list is one query for the rows it shows and its total count, whatever the
number of the member's contracts.
"""

import datetime
from dataclasses import dataclass

from django.db.models import Count, QuerySet, Window
from django.db.models.functions import Coalesce

from frameworks.models import Member
from returns.figures import (
    CHASED,
    ContractToDate,
    at_risk_list,
    counted_lines,
    ended_short_list,
)
from returns.figures.summary import member_to_date_from_summary
from returns.models import AnnualReturn

SHOWN = 20  # rows of each list on the page; the count says how many there are


@dataclass
class ContractsShown:
    rows: list
    count: int

    @property
    def more(self) -> int:
        return max(self.count - len(self.rows), 0)


@dataclass
class MemberAttention:
    today: datetime.date
    at_risk: ContractsShown
    ended_short: ContractsShown
    overdue: ContractsShown

    @property
    def anything(self) -> bool:
        return bool(self.at_risk.count or self.ended_short.count or self.overdue.count)


def _shown(contract_list, today: datetime.date | None = None) -> ContractsShown:
    """The list's first SHOWN rows and its count, in one query. With `today`, each
    row comes with the days it has left: (row, days)."""
    page, _ = contract_list.page(1, SHOWN)
    rows: list[ContractToDate] = list(page.object_list)
    if today is not None:
        rows = [(row, row.days_left(today)) for row in rows]
    return ContractsShown(rows=rows, count=page.paginator.count)


def member_overdue_lines(*, member: Member, today: datetime.date) -> QuerySet:
    """Counted lines on the member's contracts whose return is not in and past its
    effective deadline, the longest overdue first."""
    # `figures.overdue_filter` on the line's return, written from the line's side so
    # the member's lines are found first (not every overdue return of the year).
    return (
        counted_lines()
        .filter(
            member=member,
            annual_return__status__in=CHASED,
            # Only issued returns are chased (figures.expected_filter).
            annual_return__source=AnnualReturn.Source.ISSUED,
        )
        .annotate(
            effective_deadline_day=Coalesce(
                "annual_return__extended_deadline", "annual_return__year__deadline"
            )
        )
        .filter(effective_deadline_day__lt=today)
        .select_related("contract", "annual_return__supplier", "annual_return__year")
        .order_by("effective_deadline_day", "contract__reference")
    )


def member_attention(*, member: Member, today: datetime.date) -> MemberAttention:
    # Contracts that are still the member's: one that moved to another member is
    # that member's concern now (its past years stay on this member's pages).
    # Their to-date figures from the contract summary's rows of the member (the
    # same figures as their reported lines summed, `figures.summary`).
    to_date = member_to_date_from_summary(member_id=member.pk, still_theirs=True)
    overdue = member_overdue_lines(member=member, today=today)
    # COUNT(*) OVER (): the total beside each row, so the list and its count are
    # one query.
    overdue_rows = list(overdue.annotate(total=Window(Count("pk")))[:SHOWN])
    return MemberAttention(
        today=today,
        at_risk=_shown(at_risk_list(today=today, to_date=to_date), today=today),
        ended_short=_shown(ended_short_list(today=today, to_date=to_date)),
        overdue=ContractsShown(
            rows=overdue_rows,
            count=overdue_rows[0].total if overdue_rows else 0,
        ),
    )
