"""A supplier uploads evidence on a line and raises a query, in a real browser."""

import pytest

from returns.models import AnnualReturn, Evidence, LineQuery
from tests import factories, filesamples
from tests.browser.conftest import assert_accessible, sign_in

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
