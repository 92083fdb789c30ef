"""What makes a submitted return need a look (issue 23, part 3): the review queue
ranks returns by it and shows each reason as a tag.

The reasons, each counted for every return in the queue:

- unchecked flags on its counted lines (soft checks and double counting), and of
  those, the ones the supplier explained (the team must read the explanation);
- big changes: figures changed by 50% and 5 units or more against last year or the
  delivery plan, counted at the latest submission (`AnnualReturn.big_changes`);
- open queries on its lines;
- members' disputes of its figures: open ones, and those the team answered by
  sending the return back (its resubmission is the answer to check);
- a first-time supplier: no approved return of an earlier year.

The score weighs them so that what could be wrong outranks what is merely new:
POINTS below, each count capped (a return with 40 flags is not 40 times as urgent as
one with one). Ties go to the longest waiting. "Longest waiting" (submitted first,
first) stays available as an order of its own.

How: one query reads the queue's returns (id, submitted, reference, big changes,
supplier, year's start), one grouped query per kind of reason counts them for all
those returns at once, the score and order are worked out in Python, and only the
page shown is read in full (one query). Seven queries whatever the queue's length;
at scale 170 (about 2,900 submitted returns) a correlated-subquery version took
four times as long, most of it scoring rows that were never shown.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass

from django.db.models import Count, IntegerField, Min, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce

from ..models import AnnualReturn, LineFlag, LineQuery, MemberCheck, ReturnLine

NEVER = datetime.datetime.min.replace(tzinfo=datetime.UTC)
ORDER_RANK = "rank"
ORDER_WAITING = "waiting"

# Points per reason, and the most a count of it adds.
POINTS = {
    "disputes": (40, 1),
    "open_queries": (20, 1),
    "unchecked_flags": (10, 5),
    "explained_flags": (5, 5),
    "first_time": (15, 1),
    "big_changes": (3, 10),
}


@dataclass
class Reasons:
    unchecked_flags: int = 0
    explained_flags: int = 0
    open_queries: int = 0
    disputes: int = 0
    big_changes: int = 0
    first_time: bool = False

    @property
    def score(self) -> int:
        total = 0
        for name, (points, cap) in POINTS.items():
            total += min(int(getattr(self, name)), cap) * points
        return total


def _by_return(queryset: QuerySet, ids: QuerySet, **counts) -> dict[int, dict]:
    """{return id: counts} of `queryset`'s rows on the counted lines of `ids`."""
    rows = (
        queryset.filter(line__annual_return_id__in=ids, line__excluded_at__isnull=True)
        .order_by()
        .values("line__annual_return_id")
        .annotate(**counts)
    )
    return {row.pop("line__annual_return_id"): row for row in rows}


def queue_reasons(
    returns: QuerySet[AnnualReturn],
) -> tuple[list[tuple], dict[int, Reasons]]:
    """For the returns of `returns` (a filtered queryset): their (id, submitted at,
    reference) and each one's Reasons. Six queries."""
    ids = returns.values("pk")
    base = list(
        returns.order_by().values_list(
            "pk",
            "submitted_at",
            "reference",
            "big_changes",
            "supplier_id",
            "year__starts_on",
        )
    )
    flags = _by_return(
        LineFlag.objects.filter(checked_at__isnull=True),
        ids,
        unchecked=Count("pk"),
        explained=Count("pk", filter=~Q(explanation="")),
    )
    queries = _by_return(
        LineQuery.objects.filter(answered_at__isnull=True), ids, n=Count("pk")
    )
    disputes = _by_return(
        MemberCheck.objects.filter(kind=MemberCheck.Kind.DISPUTED).filter(
            Q(answered_at__isnull=True) | Q(outcome=MemberCheck.Outcome.REOPENED)
        ),
        ids,
        n=Count("pk"),
    )
    # Each supplier's first approved year: a return of a year that starts no later
    # is its supplier's first-time return.
    first_approved: dict[int, datetime.date] = dict(
        AnnualReturn.objects.filter(
            status=AnnualReturn.Status.APPROVED,
            supplier_id__in=returns.values("supplier_id"),
        )
        .order_by()
        .values("supplier_id")
        .annotate(first=Min("year__starts_on"))
        .values_list("supplier_id", "first")
    )
    reasons = {}
    rows = []
    for pk, submitted_at, reference, big, supplier_id, starts_on in base:
        flag = flags.get(pk, {})
        first = first_approved.get(supplier_id)
        reasons[pk] = Reasons(
            unchecked_flags=flag.get("unchecked", 0),
            explained_flags=flag.get("explained", 0),
            open_queries=queries.get(pk, {}).get("n", 0),
            disputes=disputes.get(pk, {}).get("n", 0),
            big_changes=big or 0,
            first_time=first is None or first >= starts_on,
        )
        rows.append((pk, submitted_at, reference))
    return rows, reasons


def _lines(*, excluded: bool):
    rows = (
        ReturnLine.objects.filter(
            annual_return=OuterRef("pk"), excluded_at__isnull=not excluded
        )
        .order_by()
        .values("annual_return")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(rows, output_field=IntegerField()), 0)


class RankedQueue(Sequence):
    """The queue in order, for a Paginator: its length is known without reading the
    returns; a slice reads only those returns (one query), each with `reasons`,
    `line_count` and `excluded_count` (an excluded line is shown beside the counted
    ones: it is never left out silently)."""

    def __init__(self, returns: QuerySet[AnnualReturn], order: str):
        rows, self.reasons = queue_reasons(returns)

        def waited(row) -> tuple:
            # Submitted first, first; a return without a submission time (never
            # through the service) last, as PostgreSQL orders NULLs.
            return (row[1] is None, row[1] or NEVER, row[2])

        if order == ORDER_WAITING:
            rows.sort(key=waited)
        else:
            rows.sort(key=lambda row: (-self.reasons[row[0]].score, *waited(row)))
        self.ids = [row[0] for row in rows]
        self.returns = returns

    def __len__(self) -> int:
        return len(self.ids)

    def count(self) -> int:
        return len(self.ids)

    def __getitem__(self, index):
        if not isinstance(index, slice):
            return self[index : index + 1][0]
        wanted = self.ids[index]
        found = (
            self.returns.filter(pk__in=wanted)
            .annotate(
                line_count=_lines(excluded=False), excluded_count=_lines(excluded=True)
            )
            .in_bulk()
        )
        page = []
        for pk in wanted:
            annual_return = found[pk]
            annual_return.reasons = self.reasons[pk]
            page.append(annual_return)
        return page


@dataclass(frozen=True)
class Reason:
    text: str
    colour: str


def _plural(count: int, one: str, many: str) -> str:
    return f"{count} {one if count == 1 else many}"


def reasons(annual_return: AnnualReturn) -> list[Reason]:
    """The tags saying why a return is where it is in the queue, most serious first
    (from the `reasons` a RankedQueue gives each return: no query)."""
    found = annual_return.reasons
    tags = []
    if found.disputes:
        tags.append(
            Reason(
                _plural(found.disputes, "member's dispute", "members' disputes"),
                "red",
            )
        )
    if found.open_queries:
        tags.append(
            Reason(_plural(found.open_queries, "open query", "open queries"), "red")
        )
    if found.unchecked_flags:
        tags.append(
            Reason(
                _plural(found.unchecked_flags, "flag to check", "flags to check"),
                "orange",
            )
        )
    if found.explained_flags:
        tags.append(
            Reason(
                _plural(found.explained_flags, "explanation", "explanations")
                + " to read",
                "yellow",
            )
        )
    if found.big_changes:
        tags.append(
            Reason(_plural(found.big_changes, "big change", "big changes"), "yellow")
        )
    if found.first_time:
        tags.append(Reason("First-time supplier", "blue"))
    return tags
