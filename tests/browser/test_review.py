"""A team member reviews a submitted return in the browser: approves one, and sends
another back with a reason that the supplier then sees at the top of their return."""

from decimal import Decimal

import pytest
from django.conf import settings
from django.test import Client

from returns.models import AnnualReturn
from returns.services import line_save, return_submit
from tests import factories
from tests.browser.conftest import assert_accessible, sign_in
from tests.sessions import signed_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]


def _submitted_return(contact):
    annual_return = factories.AnnualReturnFactory(
        supplier=contact.supplier, status=AnnualReturn.Status.IN_PROGRESS
    )
    line = factories.ReturnLineFactory(
        annual_return=annual_return,
        contract__reference="C-REVIEW-1",
        target_credits=Decimal("10"),
    )
    line_save(
        line=line, user=contact.user, expected_version=1, quantities={"EMP-FT": "1"}
    )
    return return_submit(
        annual_return=annual_return,
        user=contact.user,
        declared_by_name="Asha Patel",
        declared_own_figures=True,
    )


def _sign_in_as_team(page, live_server):
    """The team signs in with two-factor; the browser gets a session made by
    Django's test client instead (two-factor sign-in has its own tests)."""
    client = Client()
    signed_in(client, factories.TeamUserFactory())
    page.context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )


def _open_from_the_desk(page, live_server, reference):
    page.goto(f"{live_server.url}/team/")
    page.get_by_role("link", name="Returns awaiting review").click()
    page.get_by_role("link", name=reference).click()
    page.get_by_role("heading", name=f"Review return {reference}").wait_for()


def test_the_team_approves_a_submitted_return(page, live_server, csp_violations):
    contact = factories.SupplierContactFactory(supplier__name="Acme Build Ltd")
    annual_return = _submitted_return(contact)
    _sign_in_as_team(page, live_server)
    _open_from_the_desk(page, live_server, annual_return.reference)
    assert_accessible(page, "review-detail")
    page.get_by_role("button", name="Approve this return").click()
    page.get_by_text(f"Return {annual_return.reference} approved").wait_for()
    annual_return.refresh_from_db()
    assert annual_return.status == AnnualReturn.Status.APPROVED
    assert "No returns are waiting for review" in page.content()


def test_the_team_sends_a_return_back_and_the_supplier_sees_why(
    page, live_server, browser, csp_violations
):
    contact = factories.SupplierContactFactory(supplier__name="Acme Build Ltd")
    annual_return = _submitted_return(contact)
    _sign_in_as_team(page, live_server)
    # From the completion page, as the team works through the season.
    page.goto(f"{live_server.url}/team/years/{annual_return.year.slug}/completion/")
    page.get_by_role("link", name=f"Review {annual_return.reference}").click()
    page.get_by_role(
        "heading", name=f"Review return {annual_return.reference}"
    ).wait_for()
    page.get_by_role("link", name="Send back for amendment").click()
    page.get_by_role("button", name="Send back to the supplier").click()
    # No reason: refused with an error summary, nothing changes
    page.locator(".govuk-error-summary").wait_for()
    assert_accessible(page, "send-back-error")
    page.get_by_label("Why are you sending it back?").fill(
        "The jobs figure does not match your payroll"
    )
    page.get_by_label("Comment on C-REVIEW-1 (optional)").fill("Check EMP-FT")
    page.get_by_role("button", name="Send back to the supplier").click()
    page.get_by_text("sent back to the supplier for amendment").wait_for()
    assert page.locator("#return-status").inner_text() == "With supplier for amendment"

    supplier_context = browser.new_context()
    supplier_page = supplier_context.new_page()
    sign_in(supplier_page, live_server, contact.user.email, factories.PASSWORD)
    supplier_page.wait_for_url(f"{live_server.url}/returns/")
    supplier_page.goto(f"{live_server.url}/returns/{annual_return.reference}/")
    assert "The jobs figure does not match your payroll" in supplier_page.content()
    # The contract the team commented on is marked on the task list
    assert "There is a problem" in supplier_page.content()
    supplier_page.get_by_role("link", name="C-REVIEW-1").first.click()
    supplier_page.get_by_text("Check EMP-FT").wait_for()
    supplier_context.close()
