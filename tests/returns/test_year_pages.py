"""The team's reporting-year pages: open, change, dry run, ready, issue, runs."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from returns import events
from returns.models import (
    AnnualReturn,
    IssueRun,
    ReportingYear,
    ReturnEvent,
    YearMeasure,
)
from returns.services import returns_issue
from returns.services.issuing.readiness import NOT_READY_TO_ISSUE
from tests import factories
from tests.returns.test_issuing import contract_with, ready_year

pytestmark = pytest.mark.django_db


def _date(prefix: str, day: datetime.date) -> dict:
    return {
        f"{prefix}_0": str(day.day),
        f"{prefix}_1": str(day.month),
        f"{prefix}_2": str(day.year),
    }


def _open_data(**overrides) -> dict:
    data = {
        "label": "2025/26",
        **_date("issue_on", datetime.date(2026, 4, 14)),
        **_date("deadline", datetime.date(2026, 6, 30)),
        "credits_per_100k": "10",
        "spend_threshold": "100000",
        "reminder_offsets": "-14, -7, 1, 7",
    }
    data.update(overrides)
    return data


def test_the_team_opens_a_year_with_the_catalogue_copied(team_client):
    page = team_client.get(reverse("team:year_open"))
    assert page.status_code == 200
    assert b"Open a reporting year" in page.content

    response = team_client.post(reverse("team:year_open"), _open_data())

    year = ReportingYear.objects.get(label="2025/26")
    assert response.url == reverse("team:year_detail", kwargs={"slug": "2025-26"})
    assert year.starts_on == datetime.date(2025, 4, 1)
    assert year.ends_on == datetime.date(2026, 3, 31)
    assert year.reminder_offsets == [-14, -7, 1, 7]
    assert YearMeasure.objects.filter(year=year).count() == 19


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        (_date("issue_on", datetime.date(2026, 3, 31)), "must be after the year ends"),
        (
            _date("deadline", datetime.date(2026, 4, 1)),
            "The deadline must be after the issue date",
        ),
        ({"label": "2025/27"}, "Enter the year as"),
        ({"label": "25/26"}, "Enter the year as"),
        ({"reminder_offsets": "-14, soon"}, "whole numbers of days"),
        ({"spend_threshold": "-1"}, "must be 0 or more"),
    ],
)
def test_opening_a_year_with_bad_input_says_what_is_wrong_and_opens_nothing(
    team_client, overrides, message
):
    response = team_client.post(reverse("team:year_open"), _open_data(**overrides))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert "govuk-error-summary" in response.content.decode()
    assert not ReportingYear.objects.exists()


def test_a_year_cannot_be_opened_twice(team_client):
    team_client.post(reverse("team:year_open"), _open_data())
    response = team_client.post(reverse("team:year_open"), _open_data())
    assert "has already been opened" in response.content.decode()
    assert ReportingYear.objects.count() == 1


def test_the_year_page_shows_the_dry_run_by_framework_with_warnings(team_client):
    year = factories.ReportingYearFactory()
    contract = contract_with("150000.00", "10", "10")  # no valuation to 31 March
    contract_with("250000.00", "1", "1", "1")
    page = team_client.get(reverse("team:year_detail", kwargs={"slug": year.slug}))
    text = page.content.decode()
    assert page.status_code == 200
    assert "Dry run: what would be issued" in text
    assert contract.lot.framework.name in text
    assert "£400,023.00" in text  # 150,020.00 + 250,003.00
    assert (
        "Live contracts with no valuation for the quarter ending 31 March 2025: 1"
        in text
    )
    assert "Suppliers with no active contact (nobody will be told): 2" in text
    assert "Mark ready to issue" in text
    assert not AnnualReturn.objects.exists()


def test_the_year_page_queries_do_not_grow_with_contracts(
    team_client, django_assert_max_num_queries
):
    year = factories.ReportingYearFactory()
    url = reverse("team:year_detail", kwargs={"slug": year.slug})
    contract_with("150000.00")
    with django_assert_max_num_queries(20) as small:
        team_client.get(url)
    for _ in range(15):
        contract_with("150000.00")
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert team_client.get(url).status_code == 200


def test_marking_ready_and_taking_it_back(team_client, team_user):
    year = factories.ReportingYearFactory()
    url = reverse("team:year_ready", kwargs={"slug": year.slug})
    team_client.post(url, {"action": "ready"})
    year.refresh_from_db()
    assert year.ready_at is not None and year.ready_by == team_user
    team_client.post(url, {"action": "withdraw"})
    year.refresh_from_db()
    assert year.ready_at is None and year.ready_by is None


def test_issue_now_is_refused_until_the_year_is_ready(team_client):
    year = factories.ReportingYearFactory()
    contract_with("150000.00")
    response = team_client.post(
        reverse("team:year_run", kwargs={"slug": year.slug}),
        {"action": "issue"},
        follow=True,
    )
    assert NOT_READY_TO_ISSUE in response.content.decode()
    assert not IssueRun.objects.exists()
    assert not AnnualReturn.objects.exists()


def test_issue_now_runs_as_a_task_and_shows_its_summary(
    team_client, team_user, django_capture_on_commit_callbacks
):
    year = ready_year()
    contract_with("150000.00")
    with django_capture_on_commit_callbacks(execute=True):
        response = team_client.post(
            reverse("team:year_run", kwargs={"slug": year.slug}),
            {"action": "issue", "confirm": "yes"},
        )
    run = IssueRun.objects.get()
    assert response.url == reverse(
        "team:issue_run", kwargs={"slug": year.slug, "run_id": run.pk}
    )
    assert run.status == IssueRun.Status.SUCCEEDED and not run.dry_run
    assert run.started_by == team_user
    assert AnnualReturn.objects.count() == 1
    page = team_client.get(response.url).content.decode()
    assert "Issue: finished" in page
    assert "£150,000.00" in page


def test_a_recorded_dry_run_issues_nothing(
    team_client, django_capture_on_commit_callbacks
):
    year = factories.ReportingYearFactory()
    contract_with("150000.00")
    with django_capture_on_commit_callbacks(execute=True):
        team_client.post(
            reverse("team:year_run", kwargs={"slug": year.slug}), {"action": "dry_run"}
        )
    run = IssueRun.objects.get()
    assert run.dry_run and run.summary["new_returns"] == 1
    assert not AnnualReturn.objects.exists()


def test_a_queued_run_shows_that_it_is_running(team_client):
    year = factories.ReportingYearFactory()
    run = IssueRun.objects.create(year=year, dry_run=False)
    page = team_client.get(
        reverse("team:issue_run", kwargs={"slug": year.slug, "run_id": run.pk})
    )
    assert "Refresh this page" in page.content.decode()


def test_a_run_of_another_year_is_not_found(team_client):
    year = factories.ReportingYearFactory()
    other = factories.ReportingYearFactory(first_year=2023)
    run = IssueRun.objects.create(year=other)
    response = team_client.get(
        reverse("team:issue_run", kwargs={"slug": year.slug, "run_id": run.pk})
    )
    assert response.status_code == 404


def test_changing_the_rate_before_issue_takes_back_ready(team_client):
    year = ready_year()
    response = team_client.post(
        reverse("team:year_edit", kwargs={"slug": year.slug}),
        {
            **_date("issue_on", year.issue_on),
            **_date("deadline", datetime.date(2025, 7, 31)),
            "credits_per_100k": "12",
            "spend_threshold": "100000",
            "reminder_offsets": "-7, 7",
        },
    )
    assert response.status_code == 302
    year.refresh_from_db()
    assert year.credits_per_100k == Decimal("12")
    assert year.deadline == datetime.date(2025, 7, 31)
    assert year.ready_at is None


def test_after_issue_only_the_deadline_and_reminders_change(team_client):
    year = ready_year()
    returns_issue(year=year)
    page = team_client.get(reverse("team:year_edit", kwargs={"slug": year.slug}))
    assert "credits_per_100k" not in page.content.decode()
    team_client.post(
        reverse("team:year_edit", kwargs={"slug": year.slug}),
        {
            **_date("deadline", datetime.date(2025, 7, 31)),
            "credits_per_100k": "99",
            "reminder_offsets": "-7",
        },
    )
    year.refresh_from_db()
    assert year.deadline == datetime.date(2025, 7, 31)
    assert year.credits_per_100k == Decimal("10")
    assert year.reminder_offsets == [-7]


def test_credit_values_change_until_issue_and_then_freeze(team_client):
    year = ready_year()
    row = YearMeasure.objects.get(year=year, measure__code="EMP-FT")
    url = reverse("team:year_measures", kwargs={"slug": year.slug})
    form = team_client.get(url).context["form"]
    data = {name: field.initial for name, field in form.fields.items()}
    data[f"measure_{row.pk}"] = "12.5"

    assert team_client.post(url, data).status_code == 302
    row.refresh_from_db()
    assert row.credits_per_unit == Decimal("12.5")
    year.refresh_from_db()
    assert year.ready_at is None  # the team must check again

    year.ready_at = timezone.now()
    year.save()
    returns_issue(year=year)
    data[f"measure_{row.pk}"] = "20"
    page = team_client.post(url, data)
    assert "its credit values are frozen" in page.content.decode()
    row.refresh_from_db()
    assert row.credits_per_unit == Decimal("12.5")


def test_the_supplier_sees_a_banner_after_a_re_issue_updates_their_return(
    supplier_client, supplier
):
    year = ready_year()
    contract = contract_with("150000.00", supplier=supplier)
    returns_issue(year=year)
    annual_return = AnnualReturn.objects.get(supplier=supplier)
    url = reverse(
        "supplier:return_detail", kwargs={"reference": annual_return.reference}
    )
    assert (
        "Spend and targets have been updated"
        not in supplier_client.get(url).content.decode()
    )

    contract.valuations.update(amount=Decimal("180000.00"))
    returns_issue(year=year)

    page = supplier_client.get(url).content.decode()
    assert "Spend and targets have been updated" in page
    assert contract.reference in page
    assert ReturnEvent.objects.filter(kind=events.REFRESHED).count() == 1
