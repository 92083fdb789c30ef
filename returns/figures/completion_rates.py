"""Completion (DESIGN "Figures": expected, submitted, completion and on-time rates)."""

import datetime
import zoneinfo
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Case, Count, F, IntegerField, Q, QuerySet, Value, When
from django.db.models.functions import Coalesce, TruncDate

from ..models import AnnualReturn, ReturnLine
from .lines import submitted_filter
from .outer import fetch, subquery

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


def completion_condition(key: str, *, today: datetime.date) -> Q | None:
    """Which returns one completion figure (a key of COMPLETION_ROWS) counts, for a
    list of them (needs `with_deadlines`); None for an unknown key."""
    conditions = _completion_conditions(today)
    # Late is counted as submitted less on time (`_completion_row`); as a list it is
    # the submitted returns that were not on time.
    conditions["late"] = conditions["submitted"] & ~on_time_filter()
    return conditions.get(key)


def _completion_conditions(today: datetime.date) -> dict[str, Q]:
    """Which returns each completion figure counts."""
    expected = expected_filter()
    conditions = {
        "expected": expected,
        "submitted": expected & submitted_filter(),
        "on_time": expected & on_time_filter(),
        "overdue": expected & overdue_filter(today=today),
        # Never submitted and not yet past its deadline.
        "not_yet_due": expected & ~submitted_filter() & ~overdue_filter(today=today),
        "not_required": Q(status=AnnualReturn.Status.NOT_REQUIRED),
    }
    for name, status in COMPLETION_STATUSES.items():
        conditions[name] = expected & Q(status=status)
    return conditions


def _completion_aggregates(today: datetime.date) -> dict:
    return {
        name: Count("id", filter=condition)
        for name, condition in _completion_conditions(today).items()
    }


def rate(part: int, whole: int) -> Decimal | None:
    """A percentage to one place, half-up; None when there is nothing to divide by."""
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(
        Decimal("0.1"), rounding=ROUND_HALF_UP
    )


def _completion_row(row: dict) -> dict:
    """Adds late (submitted, not on time) and the rates. On time, late, not yet due
    and overdue split the expected returns: each rate has its count beside it."""
    row["late"] = row["submitted"] - row["on_time"]
    row["completion_rate"] = rate(row["submitted"], row["expected"])
    row["on_time_rate"] = rate(row["on_time"], row["expected"])
    row["late_rate"] = rate(row["late"], row["expected"])
    row["not_yet_due_rate"] = rate(row["not_yet_due"], row["expected"])
    row["overdue_rate"] = rate(row["overdue"], row["expected"])
    return row


# The completion figures as the page and its export show them: (key, label, rate key).
COMPLETION_ROWS = (
    ("expected", "Expected", None),
    ("submitted", "Submitted (ever, counted once)", "completion_rate"),
    ("on_time", "Submitted on time", "on_time_rate"),
    ("late", "Submitted late", "late_rate"),
    ("not_yet_due", "Not submitted, not yet due", "not_yet_due_rate"),
    ("overdue", "Overdue", "overdue_rate"),
    ("approved", "Approved", None),
    ("awaiting_review", "Awaiting review", None),
    ("returned", "With supplier for amendment", None),
    ("not_started", "Not started", None),
    ("in_progress", "In progress", None),
    ("not_required", "Not required (not in the figures)", None),
)


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
    framework it has a counted (not excluded) line in.

    The database first takes each (return, framework) pair once, then adds up the
    returns' figures per framework: counting distinct returns for each of a dozen
    figures over every line would sort the year's lines a dozen times."""
    pairs, pair_params = subquery(
        ReturnLine.objects.filter(annual_return__year=year, excluded_at__isnull=True)
        .order_by()
        .values(
            pair_return=F("annual_return_id"),
            pair_framework=F("lot__framework_id"),
            pair_framework_name=F("lot__framework__name"),
        )
        .distinct()
    )
    conditions = _completion_conditions(today)
    flags, flag_params = subquery(
        with_deadlines(AnnualReturn.objects.filter(year=year))
        .order_by()
        .values(
            flag_return=F("pk"),
            **{
                f"is_{name}": Case(
                    When(condition, then=Value(1)),
                    default=Value(0),
                    output_field=IntegerField(),
                )
                for name, condition in conditions.items()
            },
        )
    )
    sums = ", ".join(f"SUM(is_{name})" for name in conditions)
    sql = f"""
        SELECT pair_framework, pair_framework_name, {sums}
        FROM {pairs} pairs JOIN {flags} flags ON flags.flag_return = pairs.pair_return
        GROUP BY pair_framework, pair_framework_name
        ORDER BY pair_framework_name
    """  # noqa: S608 (our own SQL; every value is a parameter)
    rows = []
    for framework_id, framework, *counts in fetch(sql, (*pair_params, *flag_params)):
        row = {
            "lines__lot__framework_id": framework_id,
            "lines__lot__framework__name": framework,
            **{
                name: int(count or 0)
                for name, count in zip(conditions, counts, strict=True)
            },
            "framework_id": framework_id,
            "framework": framework,
        }
        rows.append(_completion_row(row))
    return rows


def submissions_by_day(*, year) -> dict[datetime.date, int]:
    """First submissions per London day among the year's expected returns."""
    return dict(
        with_deadlines(AnnualReturn.objects.filter(year=year))
        .filter(expected_filter(), first_submitted_at__isnull=False)
        .values_list("first_submitted_day")
        .annotate(n=Count("id"))
        .order_by()
    )
