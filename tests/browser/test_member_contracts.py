"""A member viewer signs in, sees an at-risk contract first on their home page,
opens its page, disputes a figure; the team sees the dispute on its desk and opens
it (issue 22). Every page passes axe-core at desktop width and at 375 px."""

import datetime
from decimal import Decimal as D

import pytest
from django.utils import timezone

from returns.models import AnnualReturn
from tests import factories
from tests.browser.conftest import (
    ARTIFACTS,
    assert_accessible,
    has_horizontal_scroll,
    sign_in,
)
from tests.browser.test_reporting_year import sign_in_team

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]

S = AnnualReturn.Status


def _check_both_widths(page, name):
    assert_accessible(page, name)
    page.set_viewport_size({"width": 375, "height": 800})
    assert not has_horizontal_scroll(page), name
    assert_accessible(page, f"{name}-375")
    page.set_viewport_size({"width": 1280, "height": 900})


def _world():
    today = timezone.localdate()
    member = factories.MemberFactory(name="Hollins Homes")
    year = factories.ReportingYearFactory(
        first_year=today.year - 2 if today.month < 4 else today.year - 1
    )
    risky = factories.ContractFactory(
        member=member,
        reference="C-RISK",
        title="Kitchen replacements",
        starts_on=year.starts_on,
        ends_on=today + datetime.timedelta(days=60),
    )
    line = factories.ReturnLineFactory(
        annual_return__year=year,
        annual_return__status=S.APPROVED,
        annual_return__supplier=risky.supplier,
        contract=risky,
        target_credits=D("40"),
        delivered_credits=D("10"),
    )
    factories.ReturnEntryFactory(line=line, quantity=D("1"))
    factories.DeliveryPlanItemFactory(contract=risky, committed_quantity=D("6"))
    fine = factories.ContractFactory(member=member, reference="C-FINE")
    factories.ReturnLineFactory(
        annual_return__year=year,
        annual_return__status=S.APPROVED,
        contract=fine,
        target_credits=D("5"),
        delivered_credits=D("9"),
    )
    return member, line


def test_a_member_disputes_a_figure_on_an_at_risk_contract_and_the_team_sees_it(
    page, live_server, csp_violations
):
    member, line = _world()
    viewer = factories.MemberViewerFactory(member=member)
    sign_in(page, live_server, viewer.user.email, factories.PASSWORD)
    page.wait_for_url(f"{live_server.url}/member/")
    attention = page.locator("#attention")
    assert "Needs your attention" in attention.inner_text()
    first_row = page.locator("#at-risk tbody tr").first
    assert "C-RISK" in first_row.inner_text()
    assert "C-FINE" not in attention.inner_text()
    _check_both_widths(page, "member-home")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "member-home.png"), full_page=True)

    first_row.get_by_role("link").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Kitchen replacements"
    assert "At risk" in page.locator("main").inner_text()
    assert "30.00 credits" in page.locator("#contract-to-date").inner_text()
    _check_both_widths(page, "member-contract")
    page.screenshot(path=str(ARTIFACTS / "member-contract.png"), full_page=True)

    page.get_by_role("link", name="Dispute the").first.click()
    _check_both_widths(page, "member-dispute")
    page.get_by_label("Jobs created, full-time").check()
    page.get_by_label("Why do you think the figures are wrong?").fill(
        "Nobody new was hired on this contract this year"
    )
    page.get_by_role("button", name="Send the dispute to the social value team").click()
    assert (
        "Your dispute has gone to the social value team"
        in page.locator("main").inner_text()
    )
    assert "Disputed" in page.locator("#contract-years").inner_text()
    _check_both_widths(page, "member-contract-disputed")

    page.context.clear_cookies()
    sign_in_team(page, live_server)
    page.get_by_role("link", name="Members' disputes of approved figures").click()
    listed = page.locator("#member-disputes")
    assert "C-RISK" in listed.inner_text()
    assert "Nobody new was hired" in listed.inner_text()
    _check_both_widths(page, "team-member-disputes")
    listed.get_by_role("link").first.click()
    assert (
        "Hollins Homes disputes C-RISK"
        in page.get_by_role("heading", level=1).inner_text()
    )
    _check_both_widths(page, "team-member-dispute-answer")
