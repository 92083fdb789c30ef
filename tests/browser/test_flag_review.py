"""The team's half of issue 23's browser test, after the supplier's half
(`test_soft_checks.supplier_explains_and_submits`: a figure 10 times last year's,
warned while typed, explained, submitted): the team sees the return ranked first in the
review queue with its reasons, opens it, sees the flag beside its figure with the
supplier's explanation, and marks it checked with a note. Every page passes
axe-core (the queue and the check page at 375 px too)."""

import datetime

import pytest
from django.utils import timezone

from returns.models import AnnualReturn, LineFlag
from tests import factories
from tests.browser.conftest import assert_accessible, has_horizontal_scroll
from tests.browser.test_reporting_year import sign_in_team
from tests.browser.test_soft_checks import (  # noqa: F401 (flagged_season: a fixture)
    EXPLANATION,
    WARNING,
    flagged_season,
    supplier_explains_and_submits,
)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]

NOTE = "Backlog confirmed with the member's housing officer"


def _check_both_widths(page, name):
    assert_accessible(page, name)
    page.set_viewport_size({"width": 375, "height": 800})
    assert not has_horizontal_scroll(page), name
    assert_accessible(page, f"{name}-375")
    page.set_viewport_size({"width": 1280, "height": 900})


def _quiet_return(year):
    """A submitted return with nothing to look at, waiting longer."""
    return factories.ReturnLineFactory(
        annual_return__year=year,
        annual_return__status=AnnualReturn.Status.SUBMITTED,
        annual_return__submitted_at=timezone.now() - datetime.timedelta(days=9),
        annual_return__supplier__name="Quiet Builders",
    ).annual_return


def test_the_team_sees_the_flag_and_explanation_and_marks_it_checked(
    page, live_server, request, csp_violations
):
    # The supplier's half (tests/browser/test_soft_checks.py): 120 volunteering hours
    # against last year's 12, warned while typing, explained, submitted.
    contact, flagged, line = request.getfixturevalue("flagged_season")
    quiet = _quiet_return(flagged.year)
    supplier_explains_and_submits(page, live_server, contact, flagged)
    flag = LineFlag.objects.get(line=line)
    page.context.clear_cookies()  # the supplier signs out; the team signs in

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
    assert WARNING in beside.inner_text()
    assert EXPLANATION in beside.inner_text()
    # Beside its figure: in the row of the measure it is about.
    row = beside.locator("xpath=ancestor::tr").inner_text()
    assert row.startswith("Staff volunteering in the community")
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
