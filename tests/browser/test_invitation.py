"""A person invited by the team opens the emailed link, sets a password and lands
on their supplier's returns; the page passes axe-core at desktop and phone width."""

import re

import pytest
from django.core import mail

from accounts.models import User
from accounts.services import invitation_create
from tests import factories
from tests.browser.conftest import assert_accessible, has_horizontal_scroll

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]

PATH = re.compile(r"/accounts/invitation/[A-Za-z0-9_\-]+/")


def test_an_invited_contact_sets_a_password_and_is_signed_in(
    page, live_server, csp_violations
):
    supplier = factories.SupplierFactory(name="Acme Build Ltd")
    invitation_create(
        email="new.lead@example.com",
        full_name="New Lead",
        supplier=supplier,
        invited_by=factories.TeamUserFactory(),
    )
    link = PATH.search(mail.outbox[-1].body).group(0)

    page.goto(live_server.url + link)
    assert page.get_by_role("heading", level=1).inner_text() == "Set your password"
    assert "Acme Build Ltd" in page.content()
    assert_accessible(page, "invitation-accept")
    page.set_viewport_size({"width": 375, "height": 800})
    assert not has_horizontal_scroll(page)
    assert_accessible(page, "invitation-accept-375")

    # A weak password is refused with an error summary that names the field.
    page.get_by_label("Create a password").fill("password")
    page.get_by_label("Confirm your password").fill("password")
    page.get_by_role("button", name="Set password and sign in").click()
    summary = page.locator(".govuk-error-summary")
    summary.wait_for()
    assert "password" in summary.inner_text().lower()
    assert_accessible(page, "invitation-accept-error")

    page.get_by_label("Create a password").fill("a-long-and-unusual-passphrase")
    page.get_by_label("Confirm your password").fill("a-long-and-unusual-passphrase")
    page.get_by_label("Confirm your password").press("Enter")
    page.wait_for_url(f"{live_server.url}/returns/")
    assert "Welcome to Acme Build Ltd" in page.content()
    assert User.objects.get(email="new.lead@example.com").check_password(
        "a-long-and-unusual-passphrase"
    )

    # The link works once.
    page.goto(live_server.url + link)
    assert (
        page.get_by_role("heading", level=1).inner_text()
        == "This invitation has already been used"
    )


def test_a_contact_invites_a_colleague_from_the_colleagues_page(
    page, live_server, csp_violations
):
    from tests.browser.conftest import sign_in

    contact = factories.SupplierContactFactory(
        supplier__name="Acme Build Ltd", is_primary=True
    )
    factories.SupplierContactFactory(user=contact.user, supplier__name="Beta Ltd")
    sign_in(page, live_server, contact.user.email, factories.PASSWORD)
    page.wait_for_url(f"{live_server.url}/returns/")
    page.get_by_role("link", name="Your colleagues").click()
    assert (
        page.get_by_role("heading", level=1).inner_text()
        == "Your colleagues at Acme Build Ltd"
    )
    assert_accessible(page, "colleagues")
    page.set_viewport_size({"width": 375, "height": 800})
    wide = page.evaluate(
        """() => [...document.querySelectorAll('body *')].filter(e =>
            e.getBoundingClientRect().right > document.documentElement.clientWidth && !e.closest('.app-overflow-x')
        ).map(e => e.tagName + '.' + e.className).slice(0, 10)"""
    )
    assert not has_horizontal_scroll(page), wide
    page.set_viewport_size({"width": 1280, "height": 800})

    page.get_by_role("link", name="Invite a colleague").click()
    assert_accessible(page, "colleague-invite")
    page.get_by_label("Email address").fill("new.colleague@example.com")
    page.get_by_label("Full name").fill("New Colleague")
    page.get_by_role("button", name="Send invitation").click()
    page.wait_for_url(f"{live_server.url}/returns/colleagues/")
    assert "new.colleague@example.com" in page.content()
    assert "Invitation sent to new.colleague@example.com" in page.content()

    page.get_by_label("You are working for").select_option(label="Beta Ltd")
    page.get_by_role("button", name="Switch supplier").click()
    assert (
        page.get_by_role("heading", level=1).inner_text()
        == "Your colleagues at Beta Ltd"
    )
