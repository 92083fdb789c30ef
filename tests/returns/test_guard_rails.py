"""Four decisions that reach members and the public wait for the team to confirm
their consequence, stated in numbers; the confirmation is recorded with who gave it.
Without a consequence they go through at once."""

import datetime
import zoneinfo
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from frameworks.models import Contract
from returns import events
from returns.models import AnnualReturn, IssueRun, ReturnEvent, YearEvent
from returns.selectors.guard_rails import contracts_missing_last_quarter
from returns.services.issuing import issue_plan
from returns.services.issuing.plan import WARN_NO_MARCH_VALUATION
from tests import factories

pytestmark = pytest.mark.django_db

LONDON = zoneinfo.ZoneInfo("Europe/London")
S = AnnualReturn.Status


def _issued(year):
    year.issued_at = timezone.now()
    year.save(update_fields=["issued_at"])
    return year


# -- publishing the report while returns are not all approved -----------------


def _report_year():
    last = _issued(factories.ReportingYearFactory(first_year=2023))
    year = _issued(factories.ReportingYearFactory(first_year=2024))
    for first_year, quantity in ((last, "10"), (year, "3")):
        line = factories.ReturnLineFactory(
            annual_return__year=first_year, annual_return__status=S.APPROVED
        )
        factories.ReturnEntryFactory(line=line, quantity=Decimal(quantity))
    for _ in range(3):  # three more of this year's returns are not approved
        factories.ReturnLineFactory(
            annual_return__year=year, annual_return__status=S.SUBMITTED
        )
    return year


def test_publishing_with_unapproved_returns_waits_for_confirmation(team_client):
    year = _report_year()
    url = reverse("team:report_publish", args=[year.slug])
    response = team_client.post(url, {"action": "publish"})
    assert response.status_code == 409
    page = response.content.decode()
    assert "1 of 4 returns approved" in page
    assert "\u221270% employment opportunities against 2023/24" in page
    year.refresh_from_db()
    assert year.report_published_at is None
    assert not YearEvent.objects.filter(year=year).exists()

    response = team_client.post(url, {"action": "publish", "confirm": "yes"})
    assert response.status_code == 302
    year.refresh_from_db()
    assert year.report_published_at is not None
    event = YearEvent.objects.get(year=year, kind=events.REPORT_PUBLISHED)
    assert event.actor == response.wsgi_request.user
    assert event.comment.startswith("Confirmed: 1 of 4 returns approved")


def test_publishing_when_every_return_is_approved_needs_no_confirmation(team_client):
    year = _issued(factories.ReportingYearFactory())
    factories.ReturnLineFactory(
        annual_return__year=year, annual_return__status=S.APPROVED
    )
    url = reverse("team:report_publish", args=[year.slug])
    assert team_client.post(url, {"action": "publish"}).status_code == 302
    assert YearEvent.objects.get(year=year).comment == ""


# -- issuing now, early or with valuations missing ------------------------------


def _ready_year_with_contracts():
    year = factories.ReportingYearFactory()  # 2024/25, ends 31 March 2025
    year.ready_at = timezone.now()
    year.save(update_fields=["ready_at"])
    valued = factories.ContractFactory(
        starts_on=datetime.date(2023, 4, 1), ends_on=datetime.date(2027, 3, 31)
    )
    factories.ValuationFactory(
        contract=valued, period_end=datetime.date(2025, 3, 31), amount="150000.00"
    )
    for _ in range(2):  # live, but no valuation for the quarter ending 31 March
        missing = factories.ContractFactory(
            starts_on=datetime.date(2023, 4, 1), ends_on=datetime.date(2027, 3, 31)
        )
        factories.ValuationFactory(
            contract=missing, period_end=datetime.date(2024, 12, 31), amount="200000"
        )
    return year


def test_the_missing_valuations_count_is_the_issue_plans_warning():
    year = _ready_year_with_contracts()
    assert contracts_missing_last_quarter(year=year) == 2
    assert issue_plan(year=year).warnings[WARN_NO_MARCH_VALUATION] == 2


def test_issuing_now_before_the_year_ends_waits_for_confirmation(
    team_client, django_capture_on_commit_callbacks
):
    year = _ready_year_with_contracts()
    url = reverse("team:year_run", kwargs={"slug": year.slug})
    with time_machine.travel(datetime.datetime(2025, 3, 20, 9, tzinfo=LONDON)):
        response = team_client.post(url, {"action": "issue"})
        assert response.status_code == 409
        page = response.content.decode()
        assert "runs to 31 March 2025, 12 more days" in page
        assert (
            "2 live contracts have no valuation for the quarter ending 31 March" in page
        )
        assert not IssueRun.objects.exists()
        with django_capture_on_commit_callbacks(execute=True):
            response = team_client.post(url, {"action": "issue", "confirm": "yes"})
    assert response.status_code == 302
    run = IssueRun.objects.get()
    assert not run.dry_run
    event = YearEvent.objects.get(year=year, kind=events.ISSUE_CONFIRMED)
    assert event.actor == run.started_by
    assert "12 more days" in event.comment


def test_a_dry_run_never_asks(team_client, django_capture_on_commit_callbacks):
    year = _ready_year_with_contracts()
    url = reverse("team:year_run", kwargs={"slug": year.slug})
    with (
        time_machine.travel(datetime.datetime(2025, 3, 20, 9, tzinfo=LONDON)),
        django_capture_on_commit_callbacks(execute=True),
    ):
        assert team_client.post(url, {"action": "dry_run"}).status_code == 302
    assert IssueRun.objects.get().dry_run


def test_issuing_after_the_year_with_every_valuation_needs_no_confirmation(
    team_client, django_capture_on_commit_callbacks
):
    year = _ready_year_with_contracts()
    march = datetime.date(2025, 3, 31)
    for contract in Contract.objects.exclude(valuations__period_end=march):
        factories.ValuationFactory(contract=contract, period_end=march, amount="1.00")
    url = reverse("team:year_run", kwargs={"slug": year.slug})
    with (
        time_machine.travel(datetime.datetime(2025, 4, 20, 9, tzinfo=LONDON)),
        django_capture_on_commit_callbacks(execute=True),
    ):
        assert team_client.post(url, {"action": "issue"}).status_code == 302
    assert not YearEvent.objects.filter(kind=events.ISSUE_CONFIRMED).exists()


# -- approving with an open query ----------------------------------------------


def test_approving_with_an_open_query_waits_for_confirmation(team_client):
    line = factories.ReturnLineFactory(annual_return__status=S.SUBMITTED)
    factories.LineQueryFactory(line=line)
    annual_return = line.annual_return
    url = reverse("team:review_approve", args=[annual_return.reference])
    response = team_client.post(url, {"comment": "Fine"})
    assert response.status_code == 409
    assert f"1 query is still open on {line.contract.reference}" in (
        response.content.decode()
    )
    annual_return.refresh_from_db()
    assert annual_return.status == S.SUBMITTED
    response = team_client.post(url, {"comment": "Fine", "confirm": "yes"})
    assert response.status_code == 302
    annual_return.refresh_from_db()
    assert annual_return.status == S.APPROVED
    event = ReturnEvent.objects.get(annual_return=annual_return, kind=events.APPROVED)
    assert event.actor == response.wsgi_request.user
    assert event.comment.startswith("Fine\nConfirmed: 1 query is still open")


def test_approving_with_every_query_answered_needs_no_confirmation(team_client):
    line = factories.ReturnLineFactory(annual_return__status=S.SUBMITTED)
    factories.LineQueryFactory(line=line, answer="Done", answered_at=timezone.now())
    url = reverse("team:review_approve", args=[line.annual_return.reference])
    assert team_client.post(url, {}).status_code == 302
    line.annual_return.refresh_from_db()
    assert line.annual_return.status == S.APPROVED


# -- not required with figures entered ------------------------------------------


def test_marking_not_required_with_figures_waits_for_confirmation(team_client):
    annual_return = factories.issued_return(status=S.IN_PROGRESS)
    with_figures = factories.ReturnLineFactory(annual_return=annual_return)
    factories.ReturnEntryFactory(line=with_figures)
    factories.ReturnLineFactory(
        annual_return=annual_return, nothing_delivered_reason="Paused all year"
    )
    factories.ReturnLineFactory(annual_return=annual_return)  # nothing entered
    url = reverse("team:return_not_required", args=[annual_return.reference])
    response = team_client.post(url, {"reason": "Administration"})
    assert response.status_code == 409
    assert "2 contracts have figures entered" in response.content.decode()
    annual_return.refresh_from_db()
    assert annual_return.status == S.IN_PROGRESS
    response = team_client.post(url, {"reason": "Administration", "confirm": "yes"})
    assert response.status_code == 302
    annual_return.refresh_from_db()
    assert annual_return.status == S.NOT_REQUIRED
    event = ReturnEvent.objects.get(
        annual_return=annual_return, kind=events.NOT_REQUIRED
    )
    assert event.actor == response.wsgi_request.user
    assert "Confirmed: 2 contracts have figures entered" in event.comment


def test_marking_not_required_without_figures_needs_no_confirmation(team_client):
    annual_return = factories.issued_return(status=S.NOT_STARTED)
    factories.ReturnLineFactory(annual_return=annual_return)
    url = reverse("team:return_not_required", args=[annual_return.reference])
    assert team_client.post(url, {"reason": "Administration"}).status_code == 302
    annual_return.refresh_from_db()
    assert annual_return.status == S.NOT_REQUIRED
