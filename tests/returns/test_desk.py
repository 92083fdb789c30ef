"""The team desk: each figure is the length of the list it links to, on a season with
returns in every state; its queries do not grow with the number of returns."""

import datetime
import zoneinfo
from decimal import Decimal
from urllib.parse import urlsplit

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from returns.models import (
    AnnualReturn,
    CaseStudy,
    IssueRun,
    Notification,
    ReturnEvent,
)
from returns.selectors.desk import team_desk
from tests import factories

pytestmark = pytest.mark.django_db

LONDON = zoneinfo.ZoneInfo("Europe/London")
S = AnnualReturn.Status
TODAY = datetime.date(2025, 7, 20)  # the deadline (30 June 2025) passed 20 days ago


@pytest.fixture(autouse=True)
def _in_season():
    with time_machine.travel(datetime.datetime(2025, 7, 20, 9, 0, tzinfo=LONDON)):
        yield


def _at(day: datetime.date) -> datetime.datetime:
    return datetime.datetime(day.year, day.month, day.day, 10, 0, tzinfo=LONDON)


def _issued_year(first_year: int):
    year = factories.ReportingYearFactory(first_year=first_year)
    year.issued_at = _at(year.issue_on)
    year.save(update_fields=["issued_at"])
    return year


def season(extra_not_started: int = 0):
    """Last year (approved returns, for the same-point rates) and this year with
    returns in every state."""
    last_year = _issued_year(2023)
    for index in range(4):
        submitted = datetime.date(2024, 6, 1) + datetime.timedelta(days=index * 10)
        done = factories.issued_return(
            year=last_year,
            status=S.APPROVED,
            first_submitted_at=_at(submitted),
            approved_at=_at(submitted + datetime.timedelta(days=5)),
        )
        ReturnEvent.objects.create(
            annual_return=done,
            kind="approved",
            at=_at(submitted + datetime.timedelta(days=5)),
        )
    year = _issued_year(2024)
    made = {}

    def make(name, status, **fields):
        annual_return = factories.issued_return(year=year, status=status, **fields)
        factories.ReturnLineFactory(annual_return=annual_return)
        made[name] = annual_return
        return annual_return

    make("long_overdue", S.NOT_STARTED)  # 20 days past the deadline
    make("overdue", S.IN_PROGRESS, extended_deadline=datetime.date(2025, 7, 10))
    make("due_soon", S.IN_PROGRESS, extended_deadline=datetime.date(2025, 7, 25))
    make("due_today", S.NOT_STARTED, extended_deadline=TODAY)
    make("later", S.NOT_STARTED, extended_deadline=datetime.date(2025, 8, 30))
    for index in range(extra_not_started):
        make(
            f"extra{index}", S.NOT_STARTED, extended_deadline=datetime.date(2025, 9, 1)
        )
    first = _at(datetime.date(2025, 6, 20))
    make("submitted", S.SUBMITTED, first_submitted_at=first, submitted_at=first)
    make("submitted_late", S.SUBMITTED, first_submitted_at=_at(TODAY))
    approved = make(
        "approved", S.APPROVED, first_submitted_at=first, approved_at=_at(TODAY)
    )
    ReturnEvent.objects.create(annual_return=approved, kind="approved", at=_at(TODAY))
    make("returned", S.RETURNED, first_submitted_at=first)  # with the supplier
    make(
        "not_required",
        S.NOT_REQUIRED,
        not_required_reason="Went into administration",
    )

    line = made["overdue"].lines.get()
    factories.LineQueryFactory(line=line, raised_at=_at(datetime.date(2025, 7, 1)))
    factories.LineQueryFactory(line=line, raised_at=_at(datetime.date(2025, 7, 15)))
    factories.LineQueryFactory(
        line=line, answer="Corrected", answered_at=timezone.now()
    )
    factories.CaseStudyFactory(line=line, publication=CaseStudy.Publication.REQUESTED)
    factories.CaseStudyFactory(line=line, publication=CaseStudy.Publication.PRIVATE)

    IssueRun.objects.create(
        year=year,
        dry_run=False,
        status=IssueRun.Status.SUCCEEDED,
        finished_at=timezone.now(),
        summary={
            "locked_changes": [
                {"return": made["submitted"].reference, "contract": "C1"},
                {"return": made["submitted"].reference, "contract": "C2"},
            ],
            "locked_additions": [],
            "no_longer_qualifying": [
                {"return": made["approved"].reference, "contract": "C3"}
            ],
        },
    )
    for key, retry in (("gave-up", None), ("retrying", timezone.now())):
        Notification.objects.create(
            recipient=made["overdue"].supplier.contacts.first().user,
            annual_return=made["overdue"],
            kind=Notification.Kind.REMINDER,
            key=key,
            status="failed",
            next_attempt_at=retry,
            last_error="550 mailbox unavailable",
        )
    # two contacts have signed in; the others never have
    for annual_return in (made["submitted"], made["approved"]):
        contact = annual_return.supplier.contacts.first()
        contact.user.last_login = timezone.now()
        contact.user.save(update_fields=["last_login"])
    return year, made


def listed(client, url: str) -> int:
    """How many rows the list at `url` holds (all its pages)."""
    response = client.get(url)
    assert response.status_code == 200, url
    context = response.context
    for name in ("page_obj",):
        if name in context and hasattr(context[name], "paginator"):
            return context[name].paginator.count
    for name in ("queries", "case_studies", "flagged"):
        if name in context:
            return len(context[name])
    raise AssertionError(f"no list in the context of {url}")


EXPECTED = {
    "awaiting_review": 2,
    "overdue": 2,
    "long_overdue": 1,
    "due_soon": 2,  # due today and due in five days
    "not_started": 3,
    "reissue": 2,
    "open_queries": 2,
    "case_studies": 1,
    "failed_emails": 1,  # the one no retry will send; the other is still retrying
}


def test_each_desk_figure_equals_the_list_it_links_to(team_client):
    year, _ = season()
    response = team_client.get(reverse("team:home"))
    assert response.status_code == 200
    desk = response.context["desk"]
    assert desk.year == year
    for key, count in EXPECTED.items():
        figure = desk.figure(key)
        assert figure.count == count, key
        assert listed(team_client, figure.url) == count, key
    never = desk.figure("never_signed_in")
    assert never.count == listed(team_client, never.url)
    assert never.count >= 9  # every contact but the two who signed in


def test_the_desk_shows_each_figure_as_a_link_with_its_count(team_client):
    season()
    page = team_client.get(reverse("team:home")).content.decode()
    desk = team_client.get(reverse("team:home")).context["desk"]
    for figure in desk.figures:
        path = urlsplit(figure.url).path
        assert path in page
        assert f'data-desk="{figure.key}"' in page
    assert "oldest raised 19 days ago" in page


def test_completion_and_approval_rates_against_last_year_at_the_same_point(
    team_client,
):
    year, _ = season()
    rates = team_desk(year=year, today=TODAY).rates
    # expected: every issued return but the one not required (9); submitted: the
    # two awaiting review, the approved one and the one sent back after a submission
    assert rates["expected"] == 9
    assert rates["submitted"] == 4
    assert rates["completion_rate"] == Decimal("44.4")
    assert rates["approval_rate"] == Decimal("11.1")
    last = rates["last_year"]
    assert last["day"] == datetime.date(2024, 7, 20)
    # by 20 July 2024 all four of last year's had been submitted and approved
    assert last["completion_rate"] == Decimal("100.0")
    assert last["approval_rate"] == Decimal("100.0")


def test_the_desk_queries_do_not_grow_with_the_returns(
    team_client, django_assert_max_num_queries
):
    season()
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as small:
        assert team_client.get(reverse("team:home")).status_code == 200
    for _ in range(15):
        annual_return = factories.issued_return(
            year=team_desk(year=None, today=TODAY).year
            or factories.ReportingYearFactory(first_year=2024),
            status=S.NOT_STARTED,
        )
        factories.ReturnLineFactory(annual_return=annual_return)
    with CaptureQueriesContext(connection) as large:
        assert team_client.get(reverse("team:home")).status_code == 200
    assert len(large.captured_queries) == len(small.captured_queries)


def test_before_any_year_the_desk_says_so(team_client):
    response = team_client.get(reverse("team:home"))
    assert response.status_code == 200
    assert "No reporting year has been opened yet" in response.content.decode()


def test_only_the_team_reaches_the_desk_lists(supplier_client, member_client, client):
    url = reverse("team:contacts_never_signed_in")
    assert supplier_client.get(url).status_code == 403
    assert member_client.get(url).status_code == 403
    assert client.get(url).status_code == 302
