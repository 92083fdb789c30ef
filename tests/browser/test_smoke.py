"""A person signs in through the real sign-in page; the home page passes axe-core."""

import pytest

from tests import factories
from tests.browser.conftest import assert_accessible, has_horizontal_scroll, sign_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]


def test_home_page_explains_the_service_and_passes_axe(
    page, live_server, csp_violations
):
    page.goto(live_server.url + "/")
    assert page.get_by_role("heading", level=1).inner_text() == "Social value returns"
    assert_accessible(page, "home")
    page.set_viewport_size({"width": 375, "height": 800})
    assert not has_horizontal_scroll(page)
    assert_accessible(page, "home-375")


def test_a_supplier_contact_signs_in_and_lands_on_their_returns(
    page, live_server, csp_violations
):
    contact = factories.SupplierContactFactory(supplier__name="Acme Build Ltd")
    sign_in(page, live_server, contact.user.email, factories.PASSWORD)
    page.wait_for_url(f"{live_server.url}/returns/")
    assert page.get_by_role("heading", level=1).inner_text() == "Your returns"
    assert_accessible(page, "supplier-home")


def test_a_wrong_password_is_refused_with_an_error_summary(page, live_server):
    contact = factories.SupplierContactFactory()
    sign_in(page, live_server, contact.user.email, "not-the-password")
    summary = page.locator(".govuk-error-summary")
    summary.wait_for()
    assert "password" in summary.inner_text().lower()
