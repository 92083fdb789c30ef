"""A supplier asks the team for help from a contract, in a real browser, asking for a
call back; the team sees it on its desk and answers in the portal; the supplier sees
the answer on the task list and the request's page, and has been emailed it once.
axe-core at desktop width and at 375 px; the footer gives the team's details."""

import pytest
from django.conf import settings
from django.core import mail
from django.test import Client

from returns.models import AnnualReturn, Notification
from support.models import SupportRequest, TeamContact
from tests import factories
from tests.browser.conftest import assert_accessible, has_horizontal_scroll, sign_in
from tests.sessions import signed_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]


def _check_both_widths(page, name: str) -> None:
    page.set_viewport_size({"width": 1280, "height": 900})
    assert_accessible(page, name)
    page.set_viewport_size({"width": 375, "height": 800})
    assert_accessible(page, f"{name}-375")
    assert not has_horizontal_scroll(page), name
    page.set_viewport_size({"width": 1280, "height": 900})


def test_a_supplier_asks_the_team_and_the_team_answers(
    page, live_server, csp_violations
):
    TeamContact.objects.create(
        email="help@consortium.example",
        phone="0161 496 0000",
        hours="Monday to Friday, 9am to 5pm",
    )
    contact = factories.SupplierContactFactory(supplier__name="Acme Build Ltd")
    line = factories.ReturnLineFactory(
        annual_return__supplier=contact.supplier,
        annual_return__status=AnnualReturn.Status.IN_PROGRESS,
        contract__title="Kitchen replacements",
    )
    reference = line.annual_return.reference
    # the help pages, before signing in
    for path, name in (
        ("/help/", "help"),
        ("/help/guidance/", "guidance"),
        ("/help/how-to/", "how-to"),
    ):
        page.goto(f"{live_server.url}{path}")
        _check_both_widths(page, name)
    sign_in(page, live_server, contact.user.email, factories.PASSWORD)
    page.wait_for_url(f"{live_server.url}/returns/")

    page.goto(f"{live_server.url}/returns/{reference}/contracts/{line.pk}/")
    footer = page.locator("footer").inner_text()
    assert "help@consortium.example" in footer and "0161 496 0000" in footer
    page.get_by_role(
        "link", name=f"Ask the team for help with {line.contract.reference}"
    ).click()
    page.get_by_role("heading", name="Ask the team for help").wait_for()
    _check_both_widths(page, "ask-help")
    # "please call me" without a number is refused, in words
    page.get_by_label("What do you need help with?").fill(
        "How do we count a part-time apprentice?"
    )
    page.get_by_label("Please call me").check()
    page.get_by_label("Phone number to call").fill("")
    page.get_by_role("button", name="Ask the team").click()
    page.locator(".govuk-error-summary").wait_for()
    assert "Enter the phone number" in page.locator(".govuk-error-summary").inner_text()
    _check_both_widths(page, "ask-help-error")
    page.get_by_label("Phone number to call").fill("01632 960 001")
    page.get_by_role("button", name="Ask the team").click()
    page.get_by_text("Your question has gone to the social value team").wait_for()
    _check_both_widths(page, "supplier-request")
    support_request = SupportRequest.objects.get()
    assert support_request.call_me and support_request.line == line
    assert [m.to for m in mail.outbox] == [["help@consortium.example"]]

    # The team: the desk's count links to the list, the list to the request.
    page.context.clear_cookies()
    _sign_in_as_team(page, live_server)
    page.goto(f"{live_server.url}/team/")
    page.get_by_role("link", name="Requests from suppliers").first.click()
    page.wait_for_url(f"{live_server.url}/team/requests/")
    _check_both_widths(page, "team-requests")
    page.get_by_role("link", name="Help").first.click()
    page.get_by_role("heading", name="Help", exact=True).wait_for()
    assert page.get_by_text("01632 960 001").first.is_visible()
    _check_both_widths(page, "team-request")
    page.get_by_label("Your answer").fill("Count them as one apprentice started.")
    page.get_by_role("button", name="Send the answer").click()
    page.get_by_text("The supplier has been told.").wait_for()
    support_request.refresh_from_db()
    assert support_request.status == SupportRequest.Status.ANSWERED

    # The supplier sees the answer, and was emailed it once.
    page.context.clear_cookies()
    sign_in(page, live_server, contact.user.email, factories.PASSWORD)
    page.wait_for_url(f"{live_server.url}/returns/")
    page.goto(f"{live_server.url}/returns/{reference}/")
    page.get_by_role("link", name=f"Help: {line.contract.reference}").click()
    assert page.get_by_text("Count them as one apprentice started.").is_visible()
    _check_both_widths(page, "supplier-request-answered")
    answers = Notification.objects.filter(kind=Notification.Kind.SUPPORT_DECIDED)
    assert [row.status for row in answers] == [Notification.Status.SENT]
    assert [m.to for m in mail.outbox][-1] == [contact.user.email]


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
