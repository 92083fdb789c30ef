"""A supplier's contact downloads the return as a spreadsheet, fills it in, uploads it,
checks the preview and saves it, in a real browser."""

import datetime
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from returns.models import ReturnEntry
from returns.spreadsheets import layout
from tests import factories
from tests.browser.conftest import assert_accessible, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_contact_uploads_a_filled_in_spreadsheet_and_confirms_the_preview(
    page, live_server, csp_violations, tmp_path
):
    year = factories.ReportingYearFactory(
        first_year=2025,
        issue_on=datetime.date(2026, 4, 14),
        deadline=datetime.date.today() + datetime.timedelta(days=30),
    )
    contact = factories.SupplierContactFactory(supplier__name="Acme Build Ltd")
    annual_return = factories.AnnualReturnFactory(
        year=year, supplier=contact.supplier, status="in_progress"
    )
    for reference in ("C-0001", "C-0002"):
        factories.ReturnLineFactory(
            annual_return=annual_return,
            contract__reference=reference,
            contract__ends_on=datetime.date(2028, 3, 31),
        )
    sign_in(page, live_server, contact.user.email, factories.PASSWORD)
    page.wait_for_url(f"{live_server.url}/returns/")

    page.goto(f"{live_server.url}/returns/{annual_return.reference}/")
    page.get_by_role("link", name="Fill in the return in a spreadsheet").click()
    page.wait_for_url(f"**/{annual_return.reference}/spreadsheet/upload/")
    assert_accessible(page, "spreadsheet-upload")
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download the return as a spreadsheet").click()
    download = download_info.value
    assert (
        download.suggested_filename == "social-value-return-acme-build-ltd-2025-26.xlsx"
    )
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)

    book = load_workbook(saved)
    sheet = book[layout.RETURN]
    codes = [c.value for c in sheet[layout.CODE_ROW]]
    sheet.cell(row=layout.FIRST_LINE_ROW, column=codes.index("EMP-FT") + 1, value=2)
    sheet.cell(row=layout.FIRST_LINE_ROW + 1, column=codes.index("VOL") + 1, value=40)
    book.save(saved)

    page.get_by_label("Upload the filled-in spreadsheet").set_input_files(str(saved))
    page.get_by_role("button", name="Check the spreadsheet").click()
    summary = page.locator("#upload-summary")
    summary.wait_for()
    # EMP-FT 2 × 10 + VOL 40 × 0.05 = 22 credits against 2 × 20.
    assert "2 of 2 contracts change, 22 credits against a target of 40" in (
        summary.inner_text()
    )
    assert_accessible(page, "spreadsheet-preview")
    assert not ReturnEntry.objects.exists()

    page.get_by_role("button", name="Save these figures").click()
    page.locator(".govuk-notification-banner").wait_for()
    assert (
        "2 contracts changed" in page.locator(".govuk-notification-banner").inner_text()
    )
    quantities = dict(ReturnEntry.objects.values_list("measure__code", "quantity"))
    assert quantities == {"EMP-FT": Decimal("2.00"), "VOL": Decimal("40.00")}


def test_a_bad_file_is_refused_on_the_page_with_an_error_summary(
    page, live_server, csp_violations, tmp_path
):
    contact = factories.SupplierContactFactory()
    annual_return = factories.AnnualReturnFactory(
        supplier=contact.supplier, status="in_progress"
    )
    factories.ReturnLineFactory(annual_return=annual_return)
    sign_in(page, live_server, contact.user.email, factories.PASSWORD)
    page.wait_for_url(f"{live_server.url}/returns/")
    page.goto(
        f"{live_server.url}/returns/{annual_return.reference}/spreadsheet/upload/"
    )
    fake = tmp_path / "figures.xlsx"
    fake.write_bytes(b"reference,EMP-FT\nC-1,3\n")
    page.get_by_label("Upload the filled-in spreadsheet").set_input_files(str(fake))
    page.get_by_role("button", name="Check the spreadsheet").click()
    summary = page.locator(".govuk-error-summary")
    summary.wait_for()
    assert "not an Excel workbook" in summary.inner_text()
    assert_accessible(page, "spreadsheet-refused")
