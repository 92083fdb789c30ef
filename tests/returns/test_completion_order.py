"""The completion page, reordered for the season: the figures first, each count a
link to the returns it counts; then the suppliers that still need something; the
weekly chart and table folded away below."""

import datetime
import zoneinfo

import pytest
import time_machine
from django.urls import reverse

from returns.figures import COMPLETION_ROWS
from returns.models import AnnualReturn
from tests import factories
from tests.pages import Page

pytestmark = pytest.mark.django_db

LONDON = zoneinfo.ZoneInfo("Europe/London")
S = AnnualReturn.Status


@pytest.fixture(autouse=True)
def _after_the_deadline():
    with time_machine.travel(datetime.datetime(2025, 7, 5, 10, 0, tzinfo=LONDON)):
        yield


@pytest.fixture
def year():
    year = factories.ReportingYearFactory()
    on_time = datetime.datetime(2025, 6, 1, 9, tzinfo=LONDON)
    late = datetime.datetime(2025, 7, 2, 9, tzinfo=LONDON)
    for status, first in (
        (S.NOT_STARTED, None),
        (S.IN_PROGRESS, None),
        (S.SUBMITTED, on_time),
        (S.SUBMITTED, late),
        (S.APPROVED, on_time),
        (S.RETURNED, on_time),
        (S.NOT_REQUIRED, None),
    ):
        factories.ReturnLineFactory(
            annual_return=factories.issued_return(
                year=year, status=status, first_submitted_at=first
            )
        )
    factories.issued_return(
        year=year, status=S.NOT_STARTED, extended_deadline=datetime.date(2025, 8, 1)
    )
    return year


def test_each_completion_count_links_to_the_returns_it_counts(team_client, year):
    url = reverse("team:completion", kwargs={"slug": year.slug})
    response = team_client.get(url)
    figures = response.context["figures"]
    page = response.content.decode()
    for key, _, _ in COMPLETION_ROWS:
        if not figures[key]:
            continue
        link = f"?figure={key}&amp;status=all#suppliers"
        assert link in page, key
        listed = team_client.get(url, {"figure": key, "status": "all"})
        assert listed.context["page_obj"].paginator.count == figures[key], key


def test_the_supplier_table_shows_by_default_the_returns_that_still_need_something(
    team_client, year
):
    url = reverse("team:completion", kwargs={"slug": year.slug})
    shown = {r.status for r in team_client.get(url).context["page_obj"]}
    assert S.APPROVED not in shown and S.NOT_REQUIRED not in shown
    assert shown == {S.NOT_STARTED, S.IN_PROGRESS, S.SUBMITTED, S.RETURNED}
    everything = team_client.get(url, {"status": "all"}).context["page_obj"]
    assert everything.paginator.count == 8


def test_the_figures_come_first_and_the_weekly_chart_is_folded_below(team_client, year):
    page = team_client.get(
        reverse("team:completion", kwargs={"slug": year.slug})
    ).content.decode()
    figures = page.index('id="completion-figures"')
    suppliers = page.index('id="suppliers"')
    weekly = page.index('id="weekly-details"')
    assert figures < suppliers < weekly
    assert "<details" in page[weekly - 40 : weekly + 10]
    assert Page(page).figure("expected") == "7"
