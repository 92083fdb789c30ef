"""Reads for the completion page: the supplier table (the chasing list) and the
weekly submissions series. The figures themselves are in `figures.py`."""

import datetime
from dataclasses import dataclass

from django.core.paginator import Page, Paginator
from django.db.models import (
    BooleanField,
    Case,
    Count,
    IntegerField,
    Max,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce

from accounts.models import SupplierContact
from core.fields import SummedDecimalField, rounded_sum
from returns.figures import (
    CHASED,
    COMPLETION_ROWS,
    completion_condition,
    on_time_filter,
    overdue_filter,
    submissions_by_day,
    submitted_filter,
    with_deadlines,
)
from returns.models import AnnualReturn, Reminder, ReportingYear, ReturnLine
from returns.selectors.emails import bouncing

SORTS = {
    "supplier": ("supplier__name", "pk"),
    "-supplier": ("-supplier__name", "-pk"),
    "status": ("status", "supplier__name", "pk"),
    "deadline": ("effective_deadline_day", "supplier__name", "pk"),
    "-deadline": ("-effective_deadline_day", "supplier__name", "pk"),
    "last_chased": ("last_chased_at", "supplier__name", "pk"),  # never chased first
    "-last_chased": ("-last_chased_at", "supplier__name", "pk"),
    "-lines": ("-line_count", "supplier__name", "pk"),
    "-target": ("-target", "supplier__name", "pk"),
}
SORT_LABELS = {
    "supplier": "Supplier, A to Z",
    "-supplier": "Supplier, Z to A",
    "status": "Status",
    "deadline": "Deadline, soonest first",
    "-deadline": "Deadline, latest first",
    "last_chased": "Last chased, longest ago first",
    "-last_chased": "Last chased, most recent first",
    "-lines": "Most contracts first",
    "-target": "Highest target first",
}
OPEN = "open"  # a status filter value: not started or in progress
NEEDS = "needs"  # the default: everything but approved and not required
EVERY = "all"
WEEKS_AFTER = 8  # the chart runs to today's week, at most this many after the deadline


_SUMMED = SummedDecimalField(max_digits=16, decimal_places=2)


def _lines(**filters):
    return ReturnLine.objects.filter(
        annual_return=OuterRef("pk"), excluded_at__isnull=True, **filters
    ).order_by()


def due_within_filter(*, today: datetime.date, days: int) -> Q:
    """Not started or in progress, with the effective deadline today or in the next
    `days` days (needs `with_deadlines`)."""
    return Q(
        status__in=CHASED,
        effective_deadline_day__gte=today,
        effective_deadline_day__lte=today + datetime.timedelta(days=days),
    )


def chasing_rows(
    *,
    year: ReportingYear,
    today: datetime.date,
    status: str = "",
    framework_id: int | None = None,
    overdue: bool = False,
    overdue_days: int | None = None,
    due_within: int | None = None,
    figure: str = "",
    sort: str = "supplier",
) -> QuerySet[AnnualReturn]:
    """The year's returns with: counted lines and target, effective deadline, whether
    overdue, when last chased, and each supplier's active contacts (primary first,
    each with `email_bouncing`) in `active_contacts`. A fixed number of queries however many rows."""
    line_count = _lines().values("annual_return").annotate(n=Count("id")).values("n")
    target = (
        _lines()
        .values("annual_return")
        .annotate(t=rounded_sum("target_credits"))
        .values("t")
    )
    last_chased = (
        Reminder.objects.filter(annual_return=OuterRef("pk"))
        .order_by()
        .values("annual_return")
        .annotate(at=Max("sent_at"))
        .values("at")
    )
    returns = (
        with_deadlines(AnnualReturn.objects.filter(year=year))
        .select_related("supplier", "year")
        .annotate(
            line_count=Coalesce(
                Subquery(line_count, output_field=IntegerField()), Value(0)
            ),
            target=Coalesce(
                Subquery(target, output_field=_SUMMED),
                Value(0),
                output_field=_SUMMED,
            ),
            last_chased_at=Subquery(last_chased),
            is_overdue=Case(
                When(overdue_filter(today=today), then=Value(True)),
                default=Value(False),
                output_field=BooleanField(),
            ),
            is_on_time=Case(
                When(on_time_filter(), then=Value(True)),
                default=Value(False),
                output_field=BooleanField(),
            ),
            is_submitted_once=Case(
                When(submitted_filter(), then=Value(True)),
                default=Value(False),
                output_field=BooleanField(),
            ),
        )
        .prefetch_related(
            Prefetch(
                "supplier__contacts",
                queryset=SupplierContact.objects.filter(
                    is_active=True, user__is_active=True
                )
                .select_related("user")
                .annotate(email_bouncing=bouncing())
                .order_by("-is_primary", "user__email"),
                to_attr="active_contacts",
            )
        )
    )
    if figure:  # the returns one completion figure counts
        condition = completion_condition(figure, today=today)
        if condition is not None:
            returns = returns.filter(condition)
    if status == NEEDS:
        returns = returns.exclude(
            status__in=[AnnualReturn.Status.APPROVED, AnnualReturn.Status.NOT_REQUIRED]
        )
    elif status == OPEN:
        returns = returns.filter(
            status__in=[
                AnnualReturn.Status.NOT_STARTED,
                AnnualReturn.Status.IN_PROGRESS,
            ]
        )
    elif status and status != EVERY:
        returns = returns.filter(status=status)
    if framework_id:
        returns = returns.filter(
            pk__in=ReturnLine.objects.filter(
                lot__framework_id=framework_id, excluded_at__isnull=True
            ).values("annual_return_id")
        )
    if overdue:
        returns = returns.filter(overdue_filter(today=today))
        if overdue_days:
            before = today - datetime.timedelta(days=overdue_days)
            returns = returns.filter(effective_deadline_day__lt=before)
    if due_within is not None:
        returns = returns.filter(due_within_filter(today=today, days=due_within))
    return returns.order_by(*SORTS.get(sort, SORTS["supplier"]))


def chasing_page(rows: QuerySet[AnnualReturn], number, per_page: int) -> Page:
    """Page `number` of `chasing_rows`: the page's returns found by a light query
    (the filters and the sort, none of the per-row figures), then only those
    returns read with their figures and contacts. A page deep in the table would
    otherwise compute every skipped row's figures. Four queries: the count, the
    page's keys, its rows, their contacts."""
    page = Paginator(rows.values_list("pk", flat=True), per_page).get_page(number)
    keys = list(page.object_list)
    found = {r.pk: r for r in rows.filter(pk__in=keys)} if keys else {}
    page.object_list = [found[key] for key in keys if key in found]
    return page


def primary_contact(annual_return: AnnualReturn):
    """The supplier's primary active contact, else its first active one, else None
    (needs `chasing_rows`' prefetch)."""
    contacts = getattr(annual_return.supplier, "active_contacts", None)
    return contacts[0] if contacts else None


CHASING_LIST_HEADER = [
    "Supplier",
    "Supplier reference",
    "Return",
    "Status",
    "Overdue",
    "Deadline",
    "Extended",
    "Contracts",
    "Target credits",
    "Last chased",
    "Contact",
    "Email",
    "Phone",
    "On time or late",
]


def timeliness(annual_return: AnnualReturn) -> str:
    """Where a return stands against its deadline (needs `chasing_rows`): the four
    parts the completion page counts, or "Not required"."""
    if annual_return.status == AnnualReturn.Status.NOT_REQUIRED:
        return "Not required"
    if annual_return.is_submitted_once:
        return "On time" if annual_return.is_on_time else "Late"
    return "Overdue" if annual_return.is_overdue else "Not yet due"


def completion_figure_rows(figures: dict) -> list[dict]:
    """The completion figures (`returns.figures.completion`) as the page and the
    chasing list's "Completion" sheet show them: each count with its share of the
    returns expected beside it, where it has one."""
    return [
        {
            "key": key,
            "label": label,
            "count": figures[key],
            "rate_key": rate_key,
            "rate": figures[rate_key] if rate_key else None,
        }
        for key, label, rate_key in COMPLETION_ROWS
    ]


def chasing_list_rows(returns) -> list[list]:
    """Plain rows for the xlsx/CSV chasing list."""
    from django.utils import timezone

    rows = []
    for annual_return in returns:
        contact = primary_contact(annual_return)
        rows.append(
            [
                annual_return.supplier.name,
                annual_return.supplier.reference,
                annual_return.reference,
                annual_return.get_status_display(),
                "Yes" if annual_return.is_overdue else "No",
                annual_return.effective_deadline_day,
                "Yes" if annual_return.extended_deadline else "No",
                annual_return.line_count,
                annual_return.target,
                timezone.localtime(annual_return.last_chased_at).strftime(
                    "%Y-%m-%d %H:%M"
                )
                if annual_return.last_chased_at
                else "Never",
                (contact.user.full_name or contact.user.email)
                if contact
                else "No contact",
                contact.user.email if contact else "",
                contact.phone if contact else "",
                timeliness(annual_return),
            ]
        )
    return rows


@dataclass(frozen=True)
class Week:
    index: int  # 0: the seven days ending on the deadline; -1 the week before; 1 after
    label: str
    this_year: int | None  # None: this week has not started yet
    this_year_to_date: int | None
    last_year: int | None
    last_year_to_date: int | None


def week_of(day: datetime.date, deadline: datetime.date) -> int:
    """0 for the seven days ending on the deadline, -1 the seven before, 1 after."""
    return ((day - deadline).days - 1) // 7 + 1


def week_label(index: int, deadline: datetime.date) -> str:
    last_day = deadline + datetime.timedelta(days=7 * index)
    first_day = last_day - datetime.timedelta(days=6)
    span = f"{first_day:%-d %b} to {last_day:%-d %b}"
    if index == 0:
        return f"Deadline week ({span})"
    weeks = abs(index)
    when = "before" if index < 0 else "after"
    return f"{weeks} week{'s' if weeks != 1 else ''} {when} ({span})"


def previous_year(year: ReportingYear) -> ReportingYear | None:
    return (
        ReportingYear.objects.filter(starts_on__lt=year.starts_on)
        .order_by("-starts_on")
        .first()
    )


def submissions_by_week(
    *,
    year: ReportingYear,
    today: datetime.date,
    last_year: ReportingYear | None,
    last_by_day: dict | None = None,
    this_by_day: dict | None = None,
) -> list[Week]:
    """First submissions per week relative to each year's own deadline, this year
    against last year, from the week of issue to the later of today's week and the
    last submission. Two queries, less one for each of `this_by_day` and
    `last_by_day` (the years' `submissions_by_day`) given."""
    if this_by_day is None:
        this_by_day = submissions_by_day(year=year)
    this = _weekly(this_by_day, year.deadline)
    if last_year and last_by_day is None:
        last_by_day = submissions_by_day(year=last_year)
    last = _weekly(last_by_day, last_year.deadline) if last_year else {}
    now = week_of(today, year.deadline)
    first = min([week_of(year.issue_on, year.deadline), *this, *last])
    # Up to today's week, but not a whole year of empty weeks after the season.
    final = max([min(now, WEEKS_AFTER), *this, *last, 0])
    weeks, this_total, last_total = [], 0, 0
    for index in range(first, final + 1):
        started = index <= now
        this_total += this.get(index, 0)
        last_total += last.get(index, 0)
        weeks.append(
            Week(
                index=index,
                label=week_label(index, year.deadline),
                this_year=this.get(index, 0) if started else None,
                this_year_to_date=this_total if started else None,
                last_year=last.get(index, 0) if last_year else None,
                last_year_to_date=last_total if last_year else None,
            )
        )
    return weeks


def _weekly(by_day: dict, deadline: datetime.date) -> dict[int, int]:
    weeks: dict[int, int] = {}
    for day, count in by_day.items():
        if isinstance(day, datetime.datetime):
            day = day.date()
        index = week_of(day, deadline)
        weeks[index] = weeks.get(index, 0) + count
    return weeks


def same_point_last_year(
    *,
    year: ReportingYear,
    last_year: ReportingYear,
    today: datetime.date,
    last_by_day: dict | None = None,
) -> tuple[datetime.date, int]:
    """The day last year as far from its deadline as today is from this year's,
    and how many of last year's returns had been first submitted by then (from
    `last_by_day`, last year's `submissions_by_day`, if given)."""
    day = last_year.deadline + (today - year.deadline)
    if last_by_day is None:
        last_by_day = submissions_by_day(year=last_year)
    submitted = sum(
        count for submitted_on, count in last_by_day.items() if submitted_on <= day
    )
    return day, submitted


def next_in_list(
    *, year: ReportingYear, today: datetime.date, reference: str, **filters
) -> str | None:
    """The return after `reference` in the completion page's supplier table, as
    filtered and sorted there; None at the end (or when it is not in the list).
    One query of references only."""
    references = list(
        chasing_rows(year=year, today=today, **filters).values_list(
            "reference", flat=True
        )
    )
    try:
        index = references.index(reference)
    except ValueError:
        return None
    return references[index + 1] if index + 1 < len(references) else None


def incomplete_lines(annual_return: AnnualReturn) -> list[tuple[ReturnLine, object]]:
    """The return's counted lines that stop it being submitted, each with its state
    (what the supplier still has to do)."""
    from returns.selectors.completeness import (
        EXCLUDED,
        line_state,
        lines_for_task_list,
    )

    states = [(line, line_state(line)) for line in lines_for_task_list(annual_return)]
    return [
        (line, state)
        for line, state in states
        if state.status != EXCLUDED and state.problems
    ]
