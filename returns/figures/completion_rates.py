"""Completion (DESIGN "Figures": expected, submitted, completion and on-time rates)."""

import datetime
import zoneinfo
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, F, Q, QuerySet
from django.db.models.functions import Coalesce, TruncDate

from ..models import AnnualReturn
from .lines import submitted_filter

CHASED = (AnnualReturn.Status.NOT_STARTED, AnnualReturn.Status.IN_PROGRESS)
LONDON = zoneinfo.ZoneInfo("Europe/London")


def effective_deadline() -> Coalesce:
    """The return's extension, else its year's deadline (a date: the end of that day
    in London)."""
    return Coalesce("extended_deadline", "year__deadline")


def chased_returns() -> QuerySet[AnnualReturn]:
    """Returns the reminders chase: issued, not started or in progress. None once
    submitted (or sent back after a submission), approved or not required."""
    return AnnualReturn.objects.filter(
        status__in=CHASED, source=AnnualReturn.Source.ISSUED
    )


def expected_filter() -> Q:
    return ~Q(status=AnnualReturn.Status.NOT_REQUIRED) & Q(
        source=AnnualReturn.Source.ISSUED
    )


def overdue_filter(*, today: datetime.date) -> Q:
    """Not started or in progress, and today (London) is past the effective
    deadline. A return with the supplier for amendment is not overdue."""
    return Q(status__in=CHASED, effective_deadline_day__lt=today)


def on_time_filter() -> Q:
    """First submitted on or before the effective deadline, London time; kept
    through later resubmissions."""
    return Q(
        first_submitted_at__isnull=False,
        first_submitted_day__lte=F("effective_deadline_day"),
    )


def with_deadlines(returns: QuerySet[AnnualReturn]) -> QuerySet[AnnualReturn]:
    """Annotates `effective_deadline_day` and `first_submitted_day` (London)."""
    return returns.annotate(
        effective_deadline_day=effective_deadline(),
        first_submitted_day=TruncDate("first_submitted_at", tzinfo=LONDON),
    )


COMPLETION_STATUSES = {
    "not_started": AnnualReturn.Status.NOT_STARTED,
    "in_progress": AnnualReturn.Status.IN_PROGRESS,
    "awaiting_review": AnnualReturn.Status.SUBMITTED,
    "returned": AnnualReturn.Status.RETURNED,
    "approved": AnnualReturn.Status.APPROVED,
}


def _completion_aggregates(today: datetime.date) -> dict:
    expected = expected_filter()
    counts = {
        "expected": Count("id", filter=expected),
        "submitted": Count("id", filter=expected & submitted_filter()),
        "on_time": Count("id", filter=expected & on_time_filter()),
        "overdue": Count("id", filter=expected & overdue_filter(today=today)),
        "not_required": Count("id", filter=Q(status=AnnualReturn.Status.NOT_REQUIRED)),
    }
    for name, status in COMPLETION_STATUSES.items():
        counts[name] = Count("id", filter=expected & Q(status=status))
    return counts


def rate(part: int, whole: int) -> Decimal | None:
    """A percentage to one place, half-up; None when there is nothing to divide by."""
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(
        Decimal("0.1"), rounding=ROUND_HALF_UP
    )


def _completion_row(row: dict) -> dict:
    row["late"] = row["submitted"] - row["on_time"]
    row["completion_rate"] = rate(row["submitted"], row["expected"])
    row["on_time_rate"] = rate(row["on_time"], row["expected"])
    return row


def completion(*, year, today: datetime.date) -> dict:
    """The year's completion figures in one query: expected, submitted (ever,
    counted once), on time, late, overdue, not required, each open status, and the
    completion and on-time rates (percentages)."""
    row = with_deadlines(AnnualReturn.objects.filter(year=year)).aggregate(
        **_completion_aggregates(today)
    )
    return _completion_row(row)


def completion_by_framework(*, year, today: datetime.date) -> list[dict]:
    """The same figures per framework, in one query: a return counts under every
    framework it has a counted (not excluded) line in."""
    rows = (
        with_deadlines(
            AnnualReturn.objects.filter(year=year, lines__excluded_at__isnull=True)
        )
        .values("lines__lot__framework_id", "lines__lot__framework__name")
        .annotate(
            **{
                name: Count("id", filter=aggregate.filter, distinct=True)
                for name, aggregate in _completion_aggregates(today).items()
            }
        )
        .order_by("lines__lot__framework__name")
    )
    return [
        _completion_row(
            {
                **row,
                "framework_id": row.pop("lines__lot__framework_id"),
                "framework": row.pop("lines__lot__framework__name"),
            }
        )
        for row in rows
    ]


def submissions_by_day(*, year) -> dict[datetime.date, int]:
    """First submissions per London day among the year's expected returns."""
    return dict(
        with_deadlines(AnnualReturn.objects.filter(year=year))
        .filter(expected_filter(), first_submitted_at__isnull=False)
        .values_list("first_submitted_day")
        .annotate(n=Count("id"))
        .order_by()
    )
