"""A supplier uploads evidence on a line and raises a query, in a real browser; the
team answers it with a corrected valuation, and the supplier sees the new spend."""

import datetime
from decimal import Decimal

import pytest
from django.conf import settings
from django.test import Client

from returns.models import AnnualReturn, Evidence, LineQuery
from tests import factories, filesamples
from tests.browser.conftest import assert_accessible, sign_in
from tests.sessions import signed_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]


def test_a_supplier_uploads_evidence_and_raises_a_query(
    page, live_server, csp_violations
):
    contact = factories.SupplierContactFactory(supplier__name="Acme Build Ltd")
    line = factories.ReturnLineFactory(
        annual_return__supplier=contact.supplier,
        annual_return__status=AnnualReturn.Status.IN_PROGRESS,
        contract__title="Kitchen replacements",
    )
    for month, day in ((6, 30), (9, 30), (12, 31)):
        factories.ValuationFactory(
            contract=line.contract,
            period_end=datetime.date(2024, month, day),
            amount=Decimal("50000.00"),
        )
    factories.ValuationFactory(
        contract=line.contract,
        period_end=datetime.date(2025, 3, 31),
        amount=Decimal("50000.00"),
    )
    sign_in(page, live_server, contact.user.email, factories.PASSWORD)
    page.wait_for_url(f"{live_server.url}/returns/")
    base = f"{live_server.url}/returns/{line.annual_return.reference}/lines/{line.pk}"

    page.goto(
        f"{live_server.url}/returns/{line.annual_return.reference}/contracts/{line.pk}/"
    )
    page.get_by_role("link", name="Evidence for this contract").click()
    page.wait_for_url(f"{base}/evidence/")
    assert "Evidence for" in page.get_by_role("heading", level=1).inner_text()
    assert_accessible(page, "line-evidence")
    # A renamed web page is refused with a message, and nothing is stored.
    page.get_by_label("Upload a file").set_input_files(
        files=[
            {
                "name": "invoice.pdf",
                "mimeType": "application/pdf",
                "buffer": filesamples.HTML,
            }
        ]
    )
    page.get_by_role("button", name="Upload file").click()
    page.locator(".govuk-error-summary").wait_for()
    assert (
        "must be a PDF, PNG, JPEG" in page.locator(".govuk-error-summary").inner_text()
    )
    assert_accessible(page, "line-evidence-error")
    assert not Evidence.objects.exists()

    page.get_by_label("Upload a file").set_input_files(
        files=[
            {
                "name": "attendance-register.pdf",
                "mimeType": "application/pdf",
                "buffer": filesamples.PDF,
            }
        ]
    )
    page.get_by_role("button", name="Upload file").click()
    page.get_by_text("attendance-register.pdf uploaded").wait_for()
    assert page.get_by_role("link", name="attendance-register.pdf").is_visible()
    assert Evidence.objects.get().original_name == "attendance-register.pdf"

    page.get_by_role("link", name="Queries").click()
    page.get_by_label("The spend is wrong").check()
    page.get_by_label("Tell us more").fill(
        "We invoiced £150,000 this year, not £200,000."
    )
    page.get_by_role("button", name="Send query").click()
    page.get_by_text("Query sent to the social value team").wait_for()
    assert page.get_by_text("We invoiced £150,000 this year").is_visible()
    assert_accessible(page, "line-queries")
    query = LineQuery.objects.get()
    assert query.line == line and query.raised_by == contact.user

    # The team answers from its desk, correcting the first quarter's valuation.
    page.context.clear_cookies()
    _sign_in_as_team(page, live_server)
    page.goto(f"{live_server.url}/team/queries/")
    page.locator(f"a[href='/team/queries/{query.pk}/']").first.click()
    page.get_by_role("heading", name=f"Query on {line.contract.reference}").wait_for()
    assert_accessible(page, "team-query-answer")
    page.get_by_label("Answer").fill(
        "Checked with the member: the first quarter was £0."
    )
    page.get_by_label("Spend in the quarter ending 30 June 2024 (£)").fill("-1")
    page.get_by_role("button", name="Send answer").click()
    page.locator(".govuk-error-summary").wait_for()
    assert (
        "Enter the spend in the quarter ending 30 June 2024 as 0 or more"
        in page.locator(".govuk-error-summary").inner_text()
    )
    assert_accessible(page, "team-query-answer-error")
    page.get_by_label("Spend in the quarter ending 30 June 2024 (£)").fill("0")
    page.get_by_role("button", name="Send answer").click()
    page.get_by_text("Query answered").wait_for()
    line.refresh_from_db()
    assert (line.spend, line.target_credits) == (
        Decimal("150000.00"),
        Decimal("15.00"),
    )

    # The supplier sees the new spend on the contract's page, and the answer.
    page.context.clear_cookies()
    sign_in(page, live_server, contact.user.email, factories.PASSWORD)
    page.wait_for_url(f"{live_server.url}/returns/")
    page.goto(
        f"{live_server.url}/returns/{line.annual_return.reference}/contracts/{line.pk}/"
    )
    assert page.get_by_text("£150,000.00").is_visible()
    page.goto(f"{base}/queries/")
    assert page.get_by_text("the first quarter was £0").is_visible()


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
