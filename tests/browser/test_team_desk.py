"""A new team member signs in with one password prompt, sets up two-factor, lands on
the desk, follows "Overdue" to the filtered list, opens a supplier's chasing page and
records a call; the desk, search results, supplier and contract pages pass axe-core
at desktop width and at 375 px."""

import datetime
import zoneinfo

import pytest
import time_machine
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value

from returns.models import AnnualReturn, Reminder
from tests import factories
from tests.browser.conftest import assert_accessible, has_horizontal_scroll, sign_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]

LONDON = zoneinfo.ZoneInfo("Europe/London")
S = AnnualReturn.Status


def code_for(secret: str) -> str:
    import time

    return format_hotp_value(hotp_value(secret, int(time.time()) // 30))


def _season():
    year = factories.ReportingYearFactory(first_year=2025)  # deadline 30 June 2026
    year.issued_at = datetime.datetime(2026, 4, 14, 7, tzinfo=LONDON)
    year.save(update_fields=["issued_at"])
    late = factories.issued_return(
        year=year,
        status=S.NOT_STARTED,
        supplier=factories.SupplierFactory(name="Late & Sons Ltd"),
    )
    line = factories.ReturnLineFactory(
        annual_return=late, contract__title="Sheltered housing repairs"
    )
    factories.issued_return(year=year, status=S.SUBMITTED)
    return late, line


def _check_both_widths(page, name):
    assert_accessible(page, name)
    page.set_viewport_size({"width": 375, "height": 800})
    assert not has_horizontal_scroll(page), name
    assert_accessible(page, f"{name}-375")
    page.set_viewport_size({"width": 1280, "height": 900})


def test_a_new_team_member_sets_up_two_factor_and_chases_from_the_desk(
    page, live_server, csp_violations
):
    late, line = _season()
    person = factories.TeamUserFactory(two_factor=False)
    with time_machine.travel(datetime.datetime(2026, 7, 20, 9, tzinfo=LONDON)):
        sign_in(page, live_server, person.email, factories.PASSWORD)
        # one password prompt: straight to setting up the authenticator app
        page.wait_for_url(f"{live_server.url}/accounts/2fa/totp/activate/")
        page.get_by_text("I cannot scan the QR code").click()
        secret = page.locator("#authenticator_secret").inner_text().strip()
        page.get_by_label("Authenticator code").fill(code_for(secret))
        page.get_by_role("button", name="Turn on two-factor authentication").click()
        page.wait_for_url(f"{live_server.url}/accounts/2fa/recovery-codes/")
        page.get_by_role("button", name="Continue").click()
        page.wait_for_url(f"{live_server.url}/team/")
        assert page.get_by_role("heading", level=1).inner_text() == "Team desk"
        overdue = page.locator('[data-desk="overdue"]')
        assert overdue.locator("[data-count]").inner_text() == "1"
        _check_both_widths(page, "desk")

        overdue.get_by_role("link", name="Overdue").click()
        page.wait_for_url("**/completion/?*")
        rows = page.locator("#supplier-table tbody tr")
        assert rows.count() == 1
        rows.first.get_by_role("link", name="Late & Sons Ltd", exact=True).click()
        page.wait_for_url(f"**/returns/{late.reference}/chasing/?*")
        assert line.contract.reference in page.locator("#incomplete").inner_text()
        page.get_by_label("Phone call").check()
        page.get_by_label("What was said or agreed").fill("Will send it by Friday")
        page.get_by_role("button", name="Record it").click()
        assert "Will send it by Friday" in page.locator("#chase-history").inner_text()
        assert Reminder.objects.get(annual_return=late).sent_by == person

        page.get_by_role("link", name="Everything about Late & Sons Ltd").click()
        page.wait_for_url(f"{live_server.url}/team/suppliers/{late.supplier_id}/")
        assert "Will send it by Friday" in page.content()
        _check_both_widths(page, "team-supplier")

        page.get_by_role("link", name=line.contract.reference).first.click()
        page.wait_for_url(f"{live_server.url}/team/contracts/{line.contract_id}/")
        assert page.get_by_role("heading", level=1).inner_text() == (
            "Sheltered housing repairs"
        )
        _check_both_widths(page, "team-contract")

        page.get_by_label("Find a supplier, contract, return or person").fill(
            "sheltered"
        )
        page.get_by_role("button", name="Search").click()
        page.wait_for_url("**/team/search/?q=sheltered")
        assert page.get_by_role("link", name=f"{line.contract.reference}: Sheltered")
        _check_both_widths(page, "team-search")
