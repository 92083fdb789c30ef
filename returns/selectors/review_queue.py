"""What makes a submitted return need a look (issue 23, part 3): the review queue
ranks returns by it and shows each reason as a tag.

Every reason is an annotation on the queue's one query (correlated subqueries, so
the count of queries never grows with the returns, and a return's lines are never
multiplied by its flags, queries and disputes):

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
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Least

from ..models import AnnualReturn, LineFlag, LineQuery, MemberCheck

ORDER_RANK = "rank"
ORDER_WAITING = "waiting"
ORDERS = [(ORDER_RANK, "What needs a look first"), (ORDER_WAITING, "Longest waiting")]

# Points per reason, and the most a count of it adds.
POINTS = {
    "disputes": (40, 1),
    "open_queries": (20, 1),
    "unchecked_flags": (10, 5),
    "explained_flags": (5, 5),
    "first_time": (15, 1),
    "big_changes": (3, 10),
}


def _count(queryset: QuerySet, line_path: str) -> Coalesce:
    """The number of rows of `queryset` on the outer return's counted lines."""
    rows = (
        queryset.filter(
            **{
                f"{line_path}annual_return": OuterRef("pk"),
                f"{line_path}excluded_at__isnull": True,
            }
        )
        .order_by()
        .values(f"{line_path}annual_return")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(rows, output_field=IntegerField()), Value(0))


def with_reasons(returns: QuerySet[AnnualReturn]) -> QuerySet[AnnualReturn]:
    """`returns` annotated with each reason's count and the score."""
    unchecked = LineFlag.objects.filter(checked_at__isnull=True)
    returns = returns.annotate(
        unchecked_flags=_count(unchecked, "line__"),
        explained_flags=_count(unchecked.exclude(explanation=""), "line__"),
        open_queries=_count(
            LineQuery.objects.filter(answered_at__isnull=True), "line__"
        ),
        disputes=_count(
            MemberCheck.objects.filter(kind=MemberCheck.Kind.DISPUTED).filter(
                Q(answered_at__isnull=True) | Q(outcome=MemberCheck.Outcome.REOPENED)
            ),
            "line__",
        ),
        first_time=~Exists(
            AnnualReturn.objects.filter(
                supplier_id=OuterRef("supplier_id"),
                status=AnnualReturn.Status.APPROVED,
                year__starts_on__lt=OuterRef("year__starts_on"),
            )
        ),
    )
    score = Value(0)
    for name, (points, cap) in POINTS.items():
        if name == "first_time":
            # A boolean as 0 or 1: the same on SQLite and PostgreSQL.
            count = Case(When(first_time=True, then=Value(1)), default=Value(0))
        else:
            count = Least(F(name), Value(cap))
        score = score + count * Value(points)
    return returns.annotate(score=score)


def ordered(returns: QuerySet[AnnualReturn], order: str) -> QuerySet[AnnualReturn]:
    if order == ORDER_WAITING:
        return returns.order_by("submitted_at", "reference")
    return returns.order_by("-score", "submitted_at", "reference")


@dataclass(frozen=True)
class Reason:
    text: str
    colour: str


def reasons(annual_return: AnnualReturn) -> list[Reason]:
    """The tags saying why a return is where it is in the queue, most serious first
    (read from `with_reasons`' annotations: no query)."""
    found = []

    def plural(count: int, one: str, many: str) -> str:
        return f"{count} {one if count == 1 else many}"

    if annual_return.disputes:
        found.append(
            Reason(
                plural(annual_return.disputes, "member's dispute", "members' disputes"),
                "red",
            )
        )
    if annual_return.open_queries:
        found.append(
            Reason(
                plural(annual_return.open_queries, "open query", "open queries"), "red"
            )
        )
    if annual_return.unchecked_flags:
        found.append(
            Reason(
                plural(
                    annual_return.unchecked_flags, "flag to check", "flags to check"
                ),
                "orange",
            )
        )
    if annual_return.explained_flags:
        found.append(
            Reason(
                plural(annual_return.explained_flags, "explanation", "explanations")
                + " to read",
                "yellow",
            )
        )
    if annual_return.big_changes:
        found.append(
            Reason(
                plural(annual_return.big_changes, "big change", "big changes"), "yellow"
            )
        )
    if annual_return.first_time:
        found.append(Reason("First-time supplier", "blue"))
    return found
