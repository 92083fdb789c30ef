"""A supplier contact fills in and submits a return in a real browser, by keyboard
where it matters, and every page passes axe-core at desktop width and at 375 px."""

import datetime
import re
from decimal import Decimal

import pytest
from django.core import mail
from playwright.sync_api import expect

from returns.models import AnnualReturn, ReturnLine
from tests import factories
from tests.browser.conftest import assert_accessible, has_horizontal_scroll, sign_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture
def season():
    contact = factories.SupplierContactFactory(
        supplier__name="Acme Build Ltd", user__full_name="Asha Patel", is_primary=True
    )
    year = factories.ReportingYearFactory(
        first_year=2025, deadline=datetime.date(2026, 12, 31)
    )
    annual_return = factories.AnnualReturnFactory(
        supplier=contact.supplier, year=year, reference="SV-2025-26-00042"
    )

    def line(reference, title, target, **contract):
        return factories.ReturnLineFactory(
            annual_return=annual_return,
            contract__reference=reference,
            contract__title=title,
            target_credits=Decimal(target),
            spend=Decimal(target) * 10000,
            **{f"contract__{k}": v for k, v in contract.items()},
        )

    lines = [
        line("C-000101", "Kitchen replacements, north estates", "10.00"),
        line("C-000102", "Roof repairs, Moss Side", "20.00"),
        line("C-000103", "Energy advice", "0.00"),
    ]
    factories.DeliveryPlanItemFactory(contract=lines[0].contract)
    last_year = factories.ReturnLineFactory(
        annual_return__supplier=contact.supplier,
        annual_return__year=factories.ReportingYearFactory(first_year=2024),
        annual_return__status=AnnualReturn.Status.APPROVED,
        contract=lines[0].contract,
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


def test_a_contact_fills_in_three_contracts_checks_and_submits_by_keyboard(
    page, live_server, season, csp_violations
):
    contact, annual_return, lines = season
    sign_in(page, live_server, contact.user.email, factories.PASSWORD)
    page.wait_for_url(f"{live_server.url}/returns/")
    expect(page.get_by_role("cell", name=annual_return.reference)).to_be_visible()
    check_both_widths(page, "returns-list")

    page.get_by_role("link", name="2025/26 return").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Social value return 2025/26"
    )
    check_both_widths(page, "task-list")

    # Line 1: above target. Live credits as they type.
    page.get_by_role("link", name=re.compile("C-000101")).click()
    page.get_by_label("Jobs created, full-time").fill("2")
    expect(page.locator("#live-credits")).to_contain_text(
        "20.00 credits delivered of a target of 10.00: target met"
    )
    check_both_widths(page, "line")
    page.get_by_role("button", name="Save and go back to your contracts").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        "20.00 credits delivered"
    )

    # Line 2: below target, with a reason and a plan with a date.
    page.get_by_role("link", name=re.compile("C-000102")).click()
    page.get_by_label("Training courses completed").fill("3")
    page.get_by_label("Why are you below the target?").fill(
        "The roofing started four months late."
    )
    page.get_by_label("How will you make up the shortfall?").fill(
        "Two apprentices start in January."
    )
    page.get_by_label("Day", exact=True).fill("31")
    page.get_by_label("Month", exact=True).fill("3")
    page.get_by_label("Year", exact=True).fill("2027")
    page.get_by_role("button", name="Save and go back to your contracts").click()
    expect(page.get_by_text("Below target")).to_be_visible()

    # Submitting now is refused: focus goes to the summary, which names line 3.
    page.get_by_role("button", name="Check your answers").click()
    page.get_by_label("Your full name").fill("Asha Patel")
    page.get_by_role("button", name="Accept and submit").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("C-000103 (Energy advice)")

    # Line 3: nothing delivered, with a reason.
    summary.get_by_role("link", name=re.compile("C-000103")).click()
    page.get_by_label("Nothing was delivered on this contract this year").check()
    page.get_by_label("Why was nothing delivered?").fill(
        "Advice only: no works on site this year."
    )
    page.get_by_role("button", name="Save and go back to your contracts").click()
    expect(page.get_by_text("You have completed 3 of 3 contracts")).to_be_visible()

    # Check answers, then declare and submit with the keyboard alone.
    page.get_by_role("button", name="Check your answers").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Check your answers before submitting"
    )
    check_both_widths(page, "check-answers")
    page.locator("body").focus()
    for _ in range(300):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "id_declared_own_figures":
            break
    else:
        pytest.fail("the declaration cannot be reached with the Tab key")
    page.keyboard.press("Space")  # each contract's figures are its own
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "id_declared_by_name"
    page.keyboard.press("Control+A")
    page.keyboard.type("Asha Patel")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent.trim()") == (
        "Accept and submit"
    )
    page.keyboard.press("Enter")

    expect(page.locator(".govuk-panel")).to_contain_text(annual_return.reference)
    check_both_widths(page, "confirmation")
    annual_return.refresh_from_db()
    assert annual_return.status == AnnualReturn.Status.SUBMITTED
    assert annual_return.declared_by_name == "Asha Patel"
    receipts = [m for m in mail.outbox if annual_return.reference in m.subject]
    assert [m.to for m in receipts] == [[contact.user.email]]


def test_with_javascript_off_saving_shows_the_right_totals(
    browser, live_server, season
):
    contact, annual_return, lines = season
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    sign_in(page, live_server, contact.user.email, factories.PASSWORD)
    page.wait_for_url(f"{live_server.url}/returns/")
    page.goto(
        f"{live_server.url}/returns/{annual_return.reference}/contracts/{lines[1].pk}/"
    )
    page.get_by_label("Jobs created, full-time").fill("1")
    page.get_by_label("Staff volunteering in the community").fill("10.5")
    # No script ran: the label still shows what was saved (nothing).
    expect(page.locator("#live-credits")).to_contain_text("0.00 credits delivered")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator("#live-credits")).to_have_text(
        "10.53 credits delivered of a target of 20.00"
    )
    assert ReturnLine.objects.get(pk=lines[1].pk).delivered_credits == Decimal("10.53")
    context.close()


def test_figures_typed_before_the_script_runs_show_their_credits_when_it_does(
    page, live_server, season
):
    contact, annual_return, lines = season
    sign_in(page, live_server, contact.user.email, factories.PASSWORD)
    page.wait_for_url(f"{live_server.url}/returns/")
    script = {}

    def hold_back(route):
        script["url"] = route.request.url
        route.abort()

    # The page's own copy never arrives: the person types first, then it runs.
    page.route("**/line-credits*.js", hold_back)
    page.goto(
        f"{live_server.url}/returns/{annual_return.reference}/contracts/{lines[0].pk}/"
    )
    page.get_by_label("Jobs created, full-time").fill("2")
    expect(page.locator("#live-credits")).to_contain_text("0.00 credits delivered")
    page.unroute("**/line-credits*.js")
    page.add_script_tag(url=script["url"])

    expect(page.locator("#live-credits")).to_contain_text(
        "20.00 credits delivered of a target of 10.00: target met (not saved yet)"
    )
