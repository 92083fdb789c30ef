"""The team's half of issue 23's browser test: a supplier's figure 10 times last
year's was flagged and explained; the team sees the return ranked first in the
review queue with its reasons, opens it, sees the flag beside its figure with the
supplier's explanation, and marks it checked with a note. Every page passes
axe-core (the queue and the check page at 375 px too)."""

import datetime
from decimal import Decimal as D

import pytest
from django.utils import timezone

from returns.models import AnnualReturn, LineFlag
from tests import factories
from tests.browser.conftest import assert_accessible, has_horizontal_scroll
from tests.browser.test_reporting_year import sign_in_team

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]

EXPLANATION = "We took on the council's whole repairs backlog this year."
NOTE = "Backlog confirmed with the member's housing officer"


def _check_both_widths(page, name):
    assert_accessible(page, name)
    page.set_viewport_size({"width": 375, "height": 800})
    assert not has_horizontal_scroll(page), name
    assert_accessible(page, f"{name}-375")
    page.set_viewport_size({"width": 1280, "height": 900})


def _world():
    """A submitted return whose EMP-SUS figure was flagged at 10 times last year's
    and explained by the supplier, and a quieter return waiting longer."""
    year = factories.ReportingYearFactory()
    quiet = factories.ReturnLineFactory(
        annual_return__year=year,
        annual_return__status=AnnualReturn.Status.SUBMITTED,
        annual_return__submitted_at=timezone.now() - datetime.timedelta(days=9),
        annual_return__supplier__name="Quiet Builders",
    )
    line = factories.ReturnLineFactory(
        annual_return__year=year,
        annual_return__status=AnnualReturn.Status.SUBMITTED,
        annual_return__submitted_at=timezone.now() - datetime.timedelta(days=1),
        annual_return__supplier__name="Busy Repairs Ltd",
        contract__reference="C-TENX",
    )
    factories.ReturnEntryFactory(
        line=line, measure=factories.measure("EMP-SUS"), quantity=D("30")
    )
    flag = LineFlag.objects.create(
        line=line,
        code=LineFlag.Code.ABOVE_LAST_YEAR,
        measure_code="EMP-SUS",
        message="Jobs sustained: 30 people is more than 3 times last year's 3 people",
        explanation=EXPLANATION,
        explained_at=timezone.now(),
    )
    return quiet.annual_return, line.annual_return, flag


def test_the_team_sees_the_flag_and_explanation_and_marks_it_checked(
    page, live_server, csp_violations
):
    quiet, flagged, flag = _world()
    sign_in_team(page, live_server)
    page.goto(f"{live_server.url}/team/review/")
    rows = page.locator("tbody tr")
    # Ranked: the flagged return first, though the quiet one has waited longer.
    assert flagged.reference in rows.nth(0).inner_text()
    assert "1 flag to check" in rows.nth(0).inner_text()
    assert "1 explanation to read" in rows.nth(0).inner_text()
    assert quiet.reference in rows.nth(1).inner_text()
    _check_both_widths(page, "review-queue")

    page.get_by_role("link", name=flagged.reference).click()
    beside = page.locator(f"#flag-{flag.pk}")
    assert "30 people is more than 3 times" in beside.inner_text()
    assert EXPLANATION in beside.inner_text()
    # Beside its figure: in the row of the measure it is about.
    assert (
        beside.locator("xpath=ancestor::tr").inner_text().startswith("Jobs sustained")
    )
    # The review page's wide tables (and its 375 px layout) are issue 8's; axe here.
    assert_accessible(page, "review-flag")

    beside.get_by_role("link", name="Mark as checked").click()
    _check_both_widths(page, "flag-check")
    page.get_by_role("button", name="Mark as checked").click()
    assert "Enter a note saying what you checked" in page.content()
    page.get_by_label("What did you check?").fill(NOTE)
    page.get_by_role("button", name="Mark as checked").click()
    beside = page.locator(f"#flag-{flag.pk}")
    assert "Checked" in beside.inner_text()
    assert NOTE in beside.inner_text()
    flag.refresh_from_db()
    assert flag.check_note == NOTE
    # Checked, the return drops down the queue.
    page.goto(f"{live_server.url}/team/review/")
    assert flagged.reference not in page.locator("tbody tr").nth(0).inner_text()
    assert csp_violations == []
