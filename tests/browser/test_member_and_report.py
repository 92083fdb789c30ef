"""A member viewer signs in, sees delivery on their contracts and opens a case study;
the pages pass axe-core and the report is saved as a screenshot in test-artifacts/."""

import pytest

from tests import factories
from tests.browser.conftest import (
    ARTIFACTS,
    assert_accessible,
    has_horizontal_scroll,
    sign_in,
)
from tests.returns.impact_world import build_impact_world

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]


def test_a_member_viewer_sees_their_contracts_and_opens_a_case_study(
    page, live_server, csp_violations
):
    world = build_impact_world()
    viewer = factories.MemberViewerFactory(member=world["member_a"])
    sign_in(page, live_server, viewer.user.email, factories.PASSWORD)
    page.wait_for_url(f"{live_server.url}/member/")
    assert page.get_by_role("heading", level=1).inner_text() == "Hollins Homes"
    approved = page.locator("#approved-contracts")
    assert "C-1" in approved.inner_text()
    assert "25.00" in approved.inner_text()
    assert "Not yet submitted" in page.locator("#awaiting-contracts").inner_text()
    assert_accessible(page, "member-year")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "member-page.png"), full_page=True)

    page.get_by_role("link", name="Private title: an apprenticeship for Jo").click()
    assert (
        page.get_by_role("heading", level=1).inner_text()
        == "Private title: an apprenticeship for Jo"
    )
    assert "PRIVATE STORY" in page.locator("main").inner_text()
    assert_accessible(page, "member-case-study")

    page.get_by_role("link", name="Back").click()
    page.set_viewport_size({"width": 375, "height": 800})
    assert not has_horizontal_scroll(page)
    assert_accessible(page, "member-year-375")


def test_the_published_report_reads_without_sign_in_and_passes_axe(
    page, live_server, csp_violations
):
    from returns.services.reports import report_publish

    world = build_impact_world()
    report_publish(
        year=world["this"], acting_user=factories.TeamUserFactory(), confirmed=True
    )
    page.goto(f"{live_server.url}/impact/{world['this'].slug}/")
    assert page.get_by_role("heading", level=1).inner_text() == "Impact report 2024/25"
    assert "12" in page.locator("#headlines").inner_text()
    assert page.locator("#chart-outcomes svg").count() == 1
    assert "An apprentice joins the site team" in page.locator("main").inner_text()
    assert_accessible(page, "impact-report")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "impact-report.png"), full_page=True)
    page.emulate_media(media="print")
    page.screenshot(path=str(ARTIFACTS / "impact-report-print.png"), full_page=True)
    page.emulate_media(media="screen")
    page.set_viewport_size({"width": 375, "height": 800})
    assert not has_horizontal_scroll(page)
    assert_accessible(page, "impact-report-375")
