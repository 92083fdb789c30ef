"""The team desk: what needs the team today, for the year in season.

Each figure is a count with the link to the list behind it, and the list counts the
same rows (tests/returns/test_desk.py checks each pair). The returns' figures come
from one aggregate query; every other figure is one query of its own, so the desk's
queries do not grow with the number of returns.
"""

import datetime
from dataclasses import dataclass, field

from django.db.models import (
    Count,
    Exists,
    IntegerField,
    Min,
    OuterRef,
    Q,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode

from accounts.models import SupplierContact
from returns.figures import (
    expected_filter,
    overdue_filter,
    rate,
    submitted_filter,
    with_deadlines,
)
from returns.models import (
    AnnualReturn,
    CaseStudy,
    IssueRun,
    LineQuery,
    ReportingYear,
    ReturnEvent,
)
from returns.selectors.chasing import due_within_filter
from returns.selectors.emails import failed_email_count
from returns.selectors.member_checks import open_member_disputes_count
from support.selectors import open_requests_summary

LONG_OVERDUE_DAYS = 14  # "overdue by more than two weeks"
DUE_SOON_DAYS = 7


@dataclass(frozen=True)
class DeskFigure:
    key: str
    label: str
    count: int
    url: str
    hint: str = ""
    urgent: bool = False


@dataclass
class Desk:
    year: ReportingYear | None
    today: datetime.date
    figures: list[DeskFigure] = field(default_factory=list)
    rates: dict = field(default_factory=dict)

    def figure(self, key: str) -> DeskFigure:
        return next(f for f in self.figures if f.key == key)


def _completion_url(year: ReportingYear, **params) -> str:
    url = reverse("team:completion", kwargs={"slug": year.slug})
    return f"{url}?{urlencode(params)}#suppliers" if params else url


def return_counts(*, year: ReportingYear, today: datetime.date) -> dict[str, int]:
    """The desk's figures of the year's returns, in one query."""
    long_overdue_before = today - datetime.timedelta(days=LONG_OVERDUE_DAYS)
    expected = expected_filter()
    return with_deadlines(AnnualReturn.objects.filter(year=year)).aggregate(
        awaiting_review=Count("id", filter=Q(status=AnnualReturn.Status.SUBMITTED)),
        # the same conditions as the completion page's filters (chasing_rows)
        overdue=Count("id", filter=overdue_filter(today=today)),
        long_overdue=Count(
            "id",
            filter=overdue_filter(today=today)
            & Q(effective_deadline_day__lt=long_overdue_before),
        ),
        due_soon=Count("id", filter=due_within_filter(today=today, days=DUE_SOON_DAYS)),
        not_started=Count("id", filter=Q(status=AnnualReturn.Status.NOT_STARTED)),
        expected=Count("id", filter=expected),
        submitted=Count("id", filter=expected & submitted_filter()),
        approved=Count("id", filter=expected & Q(status=AnnualReturn.Status.APPROVED)),
    )


def return_count() -> Coalesce:
    """A year's number of returns, for `ReportingYear.objects.annotate`: each year
    counted from the returns' year index alone, where joining every return of every
    year and grouping read the whole table."""
    counted = (
        AnnualReturn.objects.filter(year=OuterRef("pk"))
        .order_by()
        .values("year")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def open_queries_summary() -> dict:
    """How many queries wait for an answer (every year: the queries page lists them
    all) and when the oldest was raised."""
    return LineQuery.objects.filter(answered_at__isnull=True).aggregate(
        count=Count("id"), oldest=Min("raised_at")
    )


def case_studies_awaiting_decision() -> int:
    return CaseStudy.objects.filter(
        publication=CaseStudy.Publication.REQUESTED, erased_at__isnull=True
    ).count()


def reissue_listed(*, year: ReportingYear) -> int:
    """How many returns the year's latest re-issue listed for the team to act on
    (as `review.reissue_flags` lists them): one query, read from the run's summary."""
    summary = (
        IssueRun.objects.filter(
            year=year, dry_run=False, status=IssueRun.Status.SUCCEEDED
        )
        .order_by("-finished_at", "-started_at")
        .values_list("summary", flat=True)
        .first()
    ) or {}
    references = {
        row.get("return")
        for key in ("locked_changes", "locked_additions", "no_longer_qualifying")
        for row in summary.get(key, [])
        if row.get("return")
    }
    return len(references)


def contacts_never_signed_in() -> "QuerySet[SupplierContact]":  # noqa: F821
    """Active contacts of active suppliers who have never signed in."""
    return SupplierContact.objects.filter(
        is_active=True,
        supplier__is_active=True,
        user__is_active=True,
        user__last_login__isnull=True,
    )


def _approved_by(*, year: ReportingYear, day: datetime.date) -> int:
    """Returns of `year` approved on or before `day` (London), by their events: a
    return approved, reopened and approved again counts once."""
    end = datetime.datetime.combine(
        day + datetime.timedelta(days=1),
        datetime.time(),
        tzinfo=timezone.get_current_timezone(),
    )
    # From the year's returns (its index), each asking its own events (theirs):
    # counting distinct returns over every approval event scanned all events.
    approved = ReturnEvent.objects.filter(
        annual_return=OuterRef("pk"), kind="approved", at__lt=end
    )
    return AnnualReturn.objects.filter(Exists(approved), year=year).count()


def _submitted_by(*, year: ReportingYear, day: datetime.date) -> int:
    end = datetime.datetime.combine(
        day + datetime.timedelta(days=1),
        datetime.time(),
        tzinfo=timezone.get_current_timezone(),
    )
    return AnnualReturn.objects.filter(
        expected_filter(), year=year, first_submitted_at__lt=end
    ).count()


def season_rates(*, year: ReportingYear, counts: dict, today: datetime.date) -> dict:
    """Completion and approval rates now, and last year's at the same distance from
    its deadline."""
    rates = {
        "expected": counts["expected"],
        "submitted": counts["submitted"],
        "approved": counts["approved"],
        "completion_rate": rate(counts["submitted"], counts["expected"]),
        "approval_rate": rate(counts["approved"], counts["expected"]),
        "last_year": None,
    }
    last_year = (
        ReportingYear.objects.filter(
            starts_on__lt=year.starts_on, issued_at__isnull=False
        )
        .order_by("-starts_on")
        .first()
    )
    if last_year is None:
        return rates
    day = last_year.deadline + (today - year.deadline)
    last_expected = AnnualReturn.objects.filter(
        expected_filter(), year=last_year
    ).count()
    submitted = _submitted_by(year=last_year, day=day)
    approved = _approved_by(year=last_year, day=day)
    rates["last_year"] = {
        "year": last_year,
        "day": day,
        "completion_rate": rate(submitted, last_expected),
        "approval_rate": rate(approved, last_expected),
    }
    return rates


def _requests_figure(today: datetime.date) -> DeskFigure:
    """Suppliers' open requests of the team (help, more time, reopening, a missing
    contract): one aggregate query; the list behind it counts the same rows."""
    summary = open_requests_summary()
    hints = []
    if summary["call_me"]:
        hints.append(f"{summary['call_me']} asking for a call")
    if summary["oldest"]:
        days = (today - timezone.localdate(summary["oldest"])).days
        hints.append(f"oldest made {days} day{'s' if days != 1 else ''} ago")
    return DeskFigure(
        "open_requests",
        "Requests from suppliers",
        summary["count"],
        reverse("support_team:list"),
        hint=", ".join(hints),
        urgent=bool(summary["call_me"]),
    )


def team_desk(*, year: ReportingYear | None, today: datetime.date) -> Desk:
    """The desk for `year` (the year in season), every figure with its list."""
    desk = Desk(year=year, today=today)
    if year is not None:
        counts = return_counts(year=year, today=today)
        desk.figures += [
            DeskFigure(
                "awaiting_review",
                "Returns awaiting review",
                counts["awaiting_review"],
                f"{reverse('team:review_list')}?{urlencode({'year': year.slug})}",
            ),
            DeskFigure(
                "overdue",
                "Overdue",
                counts["overdue"],
                _completion_url(year, overdue="on", status="open"),
                urgent=bool(counts["overdue"]),
            ),
            DeskFigure(
                "long_overdue",
                f"Overdue by more than {LONG_OVERDUE_DAYS} days",
                counts["long_overdue"],
                _completion_url(
                    year, overdue="on", status="open", overdue_days=LONG_OVERDUE_DAYS
                ),
                urgent=bool(counts["long_overdue"]),
            ),
            DeskFigure(
                "due_soon",
                f"Due in the next {DUE_SOON_DAYS} days",
                counts["due_soon"],
                _completion_url(year, status="open", due_within=DUE_SOON_DAYS),
            ),
            DeskFigure(
                "not_started",
                "Not started",
                counts["not_started"],
                _completion_url(year, status=AnnualReturn.Status.NOT_STARTED),
            ),
            DeskFigure(
                "reissue",
                "Returns a re-issue listed for you to act on",
                reissue_listed(year=year),
                f"{reverse('team:review_reissue')}?{urlencode({'year': year.slug})}",
            ),
        ]
        desk.rates = season_rates(year=year, counts=counts, today=today)
    queries = open_queries_summary()
    oldest_days = (
        (today - timezone.localdate(queries["oldest"])).days
        if queries["oldest"]
        else None
    )
    desk.figures += [
        DeskFigure(
            "open_queries",
            "Open queries",
            queries["count"],
            reverse("team:queries"),
            hint=(
                f"oldest raised {oldest_days} day{'s' if oldest_days != 1 else ''} ago"
                if oldest_days is not None
                else ""
            ),
        ),
        _requests_figure(today),
        DeskFigure(
            "member_disputes",
            "Members' disputes of approved figures",
            open_member_disputes_count(),
            reverse("team:member_disputes"),
            hint="a member says a figure is wrong: keep it with a reason, or send "
            "the return back",
            urgent=False,
        ),
        DeskFigure(
            "case_studies",
            "Case studies awaiting a publication decision",
            case_studies_awaiting_decision(),
            reverse("team:case_studies"),
        ),
        DeskFigure(
            "failed_emails",
            "Emails that failed",
            failed_email_count(),
            reverse("team:emails_failed"),
            hint="after every retry: send again or correct the address",
        ),
        DeskFigure(
            "never_signed_in",
            "Contacts who have never signed in",
            contacts_never_signed_in().count(),
            reverse("team:contacts_never_signed_in"),
        ),
    ]
    return desk
