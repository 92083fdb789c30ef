"""The team opens a year, checks its dry run, marks it ready and issues it, in a real
browser; every page passes axe-core."""

import datetime

import pytest

from returns.models import AnnualReturn, ReportingYear
from tests import factories
from tests.accounts.test_sign_in_security import totp_now
from tests.browser.conftest import assert_accessible, has_horizontal_scroll, sign_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]


def sign_in_team(page, live_server):
    user = factories.TeamUserFactory()
    sign_in(page, live_server, user.email, factories.PASSWORD)
    page.locator("input[name=code]").fill(totp_now())
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url(f"{live_server.url}/team/")
    return user


def test_the_team_opens_checks_and_issues_a_year(page, live_server, csp_violations):
    contract = factories.ContractFactory(
        starts_on=datetime.date(2025, 4, 1), ends_on=datetime.date(2027, 3, 31)
    )
    factories.ValuationFactory(
        contract=contract, period_end=datetime.date(2025, 9, 30), amount=150000
    )
    sign_in_team(page, live_server)

    page.get_by_role(
        "link", name="Reporting years: open, check the dry run, issue"
    ).click()
    assert_accessible(page, "years")
    page.get_by_role("link", name="Open a reporting year").click()
    assert_accessible(page, "year-open")
    page.get_by_label("Reporting year").fill("2025/26")
    page.get_by_role("button", name="Open the year").click()

    page.wait_for_url(f"{live_server.url}/team/years/2025-26/")
    assert page.get_by_role("heading", level=1).inner_text().startswith("2025/26")
    assert "£150,000.00" in page.content()
    assert_accessible(page, "year-detail")
    page.set_viewport_size({"width": 375, "height": 800})
    assert not has_horizontal_scroll(page)
    page.set_viewport_size({"width": 1280, "height": 900})

    page.get_by_role("button", name="Mark ready to issue").click()
    page.get_by_role("button", name="Issue now").click()
    # its only contract has no valuation for the quarter ending 31 March 2026
    assert (
        "1 live contract has no valuation" in page.locator("#consequence").inner_text()
    )
    assert_accessible(page, "issue-confirm")
    page.get_by_role("button", name="Issue now anyway").click()
    page.wait_for_url(f"{live_server.url}/team/years/2025-26/runs/*/")
    assert "Issue: finished" in page.get_by_role("heading", level=1).inner_text()
    assert_accessible(page, "issue-run")

    year = ReportingYear.objects.get(label="2025/26")
    assert year.issued_at is not None
    assert AnnualReturn.objects.filter(year=year, supplier=contract.supplier).exists()
