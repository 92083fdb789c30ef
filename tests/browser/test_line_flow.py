"""Issue 21 in a real browser: a supplier with five contracts fills them in with
"Save and go to the next contract that needs something" without going back to the
list, sees the sticky credit total while typing the last measure of a long page,
submits and downloads the PDF copy; axe-core clean at desktop and 375 px; and the
line page works with JavaScript off (folded themes open, totals right after a
refused save)."""

import datetime
import io
import re
from decimal import Decimal
from pathlib import Path

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from returns.models import AnnualReturn
from tests import factories
from tests.browser.conftest import assert_accessible, has_horizontal_scroll, sign_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture
def five():
    contact = factories.SupplierContactFactory(
        supplier__name="Acme Build Ltd", user__full_name="Asha Patel", is_primary=True
    )
    year = factories.ReportingYearFactory(
        first_year=2025, deadline=datetime.date(2026, 12, 31)
    )
    annual_return = factories.AnnualReturnFactory(
        supplier=contact.supplier, year=year, reference="SV-2025-26-00077"
    )
    lines = [
        factories.ReturnLineFactory(
            annual_return=annual_return,
            contract__reference=f"C-00020{n}",
            contract__title=f"Works {n}",
            contract__ends_on=datetime.date(2028, 3, 31),
            target_credits=Decimal("10.00"),
        )
        for n in range(1, 6)
    ]
    # The first four have a plan (Employment open, the rest folded); the fifth has
    # neither plan nor last year, so every theme is open: the long page.
    for line in lines[:4]:
        factories.DeliveryPlanItemFactory(contract=line.contract)
    last_year = factories.ReturnLineFactory(
        annual_return__supplier=contact.supplier,
        annual_return__year=factories.ReportingYearFactory(first_year=2024),
        annual_return__status=AnnualReturn.Status.APPROVED,
        contract=lines[0].contract,
        target_credits=Decimal("10.00"),
        delivered_credits=Decimal("4.00"),
        shortfall_reason="Slow start",
        recovery_plan="More jobs next year",
        recovery_by=datetime.date(2025, 12, 31),
    )
    factories.ReturnEntryFactory(line=last_year, quantity=1)
    return contact, annual_return, lines


def check_both_widths(page, name):
    page.set_viewport_size({"width": 1280, "height": 900})
    assert_accessible(page, name)
    page.set_viewport_size({"width": 375, "height": 800})
    assert not has_horizontal_scroll(page), f"{name} scrolls sideways at 375 px"
    assert_accessible(page, f"{name}-375")
    page.set_viewport_size({"width": 1280, "height": 900})


def in_view(page, selector: str) -> bool:
    return page.evaluate(
        """(selector) => {
            const box = document.querySelector(selector).getBoundingClientRect();
            return box.top >= 0 && box.bottom <= window.innerHeight;
        }""",
        selector,
    )


def test_five_contracts_save_and_next_sticky_total_and_the_pdf(
    page, live_server, five, csp_violations
):
    contact, annual_return, lines = five
    sign_in(page, live_server, contact.user.email, factories.PASSWORD)
    page.wait_for_url(f"{live_server.url}/returns/")
    page.goto(f"{live_server.url}/returns/{annual_return.reference}/")
    page.get_by_role("link", name=re.compile("C-000201")).click()

    # The first contract: Employment open (the plan), other themes folded.
    expect(page.get_by_label("Jobs created, full-time")).to_be_visible()
    expect(page.get_by_label("Staff volunteering in the community")).to_be_hidden()
    expect(page.locator("#contract-life")).to_contain_text("2024/25")
    check_both_widths(page, "line-folded")
    task_list = f"{live_server.url}/returns/{annual_return.reference}/"
    # Ten credits each, in people figures no three contracts share (the same figure
    # on three would be flagged as double counting, issue 23).
    figures = [
        {"Jobs created, full-time": "1"},
        {"Jobs created, part-time": "2"},
        {"Jobs created, part-time": "1", "Of the jobs created": "1"},
        {"Jobs created, part-time": "2"},
    ]
    for line, typed in zip(lines[:4], figures, strict=True):
        expect(page.get_by_role("heading", level=1)).to_have_text(line.contract.title)
        for label, value in typed.items():
            page.get_by_label(re.compile("^" + re.escape(label))).fill(value)
        page.get_by_role(
            "button", name="Save and go to the next contract that needs something"
        ).click()
        assert page.url != task_list  # never back to the list

    # The fifth: every theme open, a long page. Typing the last measure, the
    # total is in view at the top of the screen and up to date.
    expect(page.get_by_role("heading", level=1)).to_have_text("Works 5")
    last = page.get_by_label(re.compile("Staff given mental health"))
    last.scroll_into_view_if_needed()
    last.fill("2")
    page.get_by_label("Jobs created, full-time").fill("1")
    last.focus()
    last.fill("4")
    expect(page.locator("#live-credits")).to_contain_text(
        "12.00 credits delivered of a target of 10.00: target met (not saved yet)"
    )
    assert page.evaluate("window.scrollY") > 1500  # a long way down the page
    assert in_view(page, "#live-credits")
    # Moving by keyboard, the field with focus is never hidden under the summary.
    # The next field sits just under the top of the screen, where the summary is;
    # Tab into it from the field before.
    page.evaluate(
        """() => {
            const next = document.getElementById('id_q_WEL');
            window.scrollBy(0, next.getBoundingClientRect().top - 30);
            document.getElementById('id_q_ENV-WST').focus({preventScroll: true});
        }"""
    )
    page.keyboard.press("Tab")
    assert page.evaluate(
        """() => {
            const field = document.activeElement.getBoundingClientRect();
            const summary = document.querySelector('.app-sticky-summary')
                .getBoundingClientRect();
            return document.activeElement.id === 'id_q_WEL'
                && field.top >= summary.bottom && field.bottom <= window.innerHeight;
        }"""
    )
    check_both_widths(page, "line-long")
    page.get_by_role(
        "button", name="Save and go to the next contract that needs something"
    ).click()

    # Nothing left: straight to check your answers, then submit.
    expect(page.get_by_text("No other contract needs anything")).to_be_visible()
    page.get_by_label(re.compile("relate to that contract")).check()
    page.get_by_label("Your full name").fill("Asha Patel")
    page.get_by_role("button", name="Accept and submit").click()
    expect(page.locator(".govuk-panel")).to_contain_text(annual_return.reference)
    check_both_widths(page, "confirmation-with-copy")
    with page.expect_download() as download_info:
        page.get_by_role("link", name=re.compile("Download a copy")).click()
    content = Path(download_info.value.path()).read_bytes()
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(content)).pages)
    assert annual_return.reference in text
    assert "Declared by Asha Patel" in text
    assert "52.00 credits delivered against a target of 50.00" in text

    # The task list now says submitted and read only.
    page.goto(task_list)
    expect(page.get_by_text("The return is submitted and read only")).to_be_visible()
    page.get_by_role("link", name="Your contracts").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your contracts")
    expect(page.get_by_text("Date passed")).to_be_visible()
    check_both_widths(page, "your-contracts")


def test_the_line_page_works_with_javascript_off(browser, live_server, five):
    contact, annual_return, lines = five
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    sign_in(page, live_server, contact.user.email, factories.PASSWORD)
    page.wait_for_url(f"{live_server.url}/returns/")
    page.goto(
        f"{live_server.url}/returns/{annual_return.reference}/contracts/{lines[0].pk}/"
    )
    # A folded theme opens without a script (<details>).
    volunteering = page.get_by_label("Staff volunteering in the community")
    expect(volunteering).to_be_hidden()
    page.get_by_text("Community (", exact=False).click()
    volunteering.fill("10.5")
    page.get_by_label("Jobs created, full-time").fill("1")
    page.get_by_label("Day", exact=True).fill("5")  # a date without month or year
    page.get_by_role("button", name="Save", exact=True).click()
    # Refused: the total is of the figures kept, and the folded theme stays open.
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "Enter the month and year"
    )
    expect(page.locator("#live-credits")).to_have_text(
        "10.53 credits delivered of a target of 10.00: target met (not saved yet)"
    )
    expect(volunteering).to_be_visible()
    page.get_by_label("Day", exact=True).fill("")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator("#live-credits")).to_have_text(
        "10.53 credits delivered of a target of 10.00: target met"
    )
    context.close()
