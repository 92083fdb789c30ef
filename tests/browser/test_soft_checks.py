"""Issue 23 in a real browser, the supplier's side: a figure 10 times last year's
is warned about while it is typed (before any save), the supplier explains it
beside the warning, saves, and submits with the declaration; axe-core clean with
the warning on the page, and no CSP violation (htmx, no inline script).

The team's side (the flag and its explanation on the review page, marked checked)
extends `supplier_explains_and_submits` below."""

import datetime
import re
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from returns.models import AnnualReturn, LineFlag, ReturnEvent
from tests import factories
from tests.browser.conftest import assert_accessible, sign_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]

EXPLANATION = "A volunteering week with the residents' association this year."
WARNING = "120 hours is more than 3 times last year's 12 hours (2024/25)"


@pytest.fixture
def flagged_season():
    """A supplier whose contract C-000301 had 12 volunteering hours last year."""
    contact = factories.SupplierContactFactory(
        supplier__name="Acme Build Ltd", user__full_name="Asha Patel", is_primary=True
    )
    year = factories.ReportingYearFactory(
        first_year=2025, deadline=datetime.date(2026, 12, 31)
    )
    annual_return = factories.AnnualReturnFactory(
        supplier=contact.supplier, year=year, reference="SV-2025-26-00301"
    )
    line = factories.ReturnLineFactory(
        annual_return=annual_return,
        contract__reference="C-000301",
        contract__title="Estate repairs",
        contract__ends_on=datetime.date(2028, 3, 31),
        target_credits=Decimal("5.00"),
    )
    last_year = factories.ReturnLineFactory(
        annual_return__supplier=contact.supplier,
        annual_return__year=factories.ReportingYearFactory(first_year=2024),
        annual_return__status=AnnualReturn.Status.APPROVED,
        contract=line.contract,
    )
    factories.ReturnEntryFactory(
        line=last_year, measure=factories.measure("VOL"), quantity=Decimal("12")
    )
    return contact, annual_return, line


def supplier_explains_and_submits(page, live_server, contact, annual_return):
    """The supplier's part, for the team's side to build on."""
    sign_in(page, live_server, contact.user.email, factories.PASSWORD)
    page.wait_for_url(f"{live_server.url}/returns/")
    page.goto(f"{live_server.url}/returns/{annual_return.reference}/")
    page.get_by_role("link", name=re.compile("C-000301")).click()

    # Typing ten times last year's figure: the warning appears beside it, unsaved.
    figure = page.get_by_label("Staff volunteering in the community")
    figure.fill("12")
    figure.fill("120")
    warning = page.locator("#soft-check-VOL")
    expect(warning).to_contain_text(WARNING)
    assert not LineFlag.objects.exists()
    expect(page.locator("#live-credits")).to_contain_text("6.00 credits delivered")
    assert_accessible(page, "line-with-warning")

    # Explain it beside the warning and save: a warning, never an error.
    warning.get_by_label("Why is this figure right?").fill(EXPLANATION)
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Saved C-000301")
    expect(page.locator("#soft-check-VOL")).to_contain_text(WARNING)
    expect(page.locator("#id_explain__above_last_year__VOL")).to_have_value(EXPLANATION)

    # Submit: the declaration that each contract's figures are its own.
    page.goto(f"{live_server.url}/returns/{annual_return.reference}/check/")
    page.get_by_label("Your full name").fill("Asha Patel")
    page.get_by_role("button", name="Accept and submit").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "Confirm that the figures of each contract relate to that contract"
    )
    page.get_by_label(re.compile("relate to that contract")).check()
    page.get_by_role("button", name="Accept and submit").click()
    expect(page.locator(".govuk-panel")).to_contain_text(annual_return.reference)


def test_a_supplier_is_warned_while_typing_explains_and_submits(
    page, live_server, flagged_season, csp_violations
):
    contact, annual_return, line = flagged_season
    supplier_explains_and_submits(page, live_server, contact, annual_return)
    flag = LineFlag.objects.get(line=line)
    assert (flag.code, flag.measure_code) == (LineFlag.Code.ABOVE_LAST_YEAR, "VOL")
    assert flag.explanation == EXPLANATION
    assert flag.explained_by == contact.user
    annual_return.refresh_from_db()
    assert annual_return.status == AnnualReturn.Status.SUBMITTED
    event = ReturnEvent.objects.get(annual_return=annual_return, kind="submitted")
    assert event.snapshot["declaration"]["by"] == contact.user.pk
    assert csp_violations == []
