"""A team member finds an overdue supplier from the completion page, sends a reminder
and records a phone call."""

import datetime
import zoneinfo

import pytest
from django.conf import settings
from django.core import mail
from django.test import Client

from returns.models import AnnualReturn, Reminder
from tests import factories
from tests.browser.conftest import assert_accessible
from tests.sessions import signed_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]

LONDON = zoneinfo.ZoneInfo("Europe/London")


def signed_in_as(page, live_server, user) -> None:
    """The team signs in with two factors (tested elsewhere): reuse a session."""
    client = Client()
    signed_in(client, user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    page.context.add_cookies(
        [{"name": cookie.key, "value": cookie.value, "url": live_server.url}]
    )


def test_the_team_filters_to_an_overdue_supplier_reminds_and_records_a_call(
    page, live_server, csp_violations
):
    year = factories.ReportingYearFactory()  # deadline 30 June 2025: long past
    roads = factories.LotFactory(framework__name="Roads")
    late = factories.issued_return(
        year=year, supplier=factories.SupplierFactory(name="Slowcoach Builders Ltd")
    )
    factories.ReturnLineFactory(annual_return=late, contract__lot=roads)
    done = factories.issued_return(
        year=year,
        supplier=factories.SupplierFactory(name="Prompt Roofing Ltd"),
        status=AnnualReturn.Status.SUBMITTED,
        first_submitted_at=datetime.datetime(2025, 6, 2, 9, tzinfo=LONDON),
    )
    factories.ReturnLineFactory(annual_return=done, contract__lot=roads)
    factories.issued_return(
        year=year, supplier=factories.SupplierFactory(name="Elsewhere Ltd")
    )
    signed_in_as(page, live_server, factories.TeamUserFactory())

    page.goto(f"{live_server.url}/team/")
    page.get_by_role("link", name="completion and chasing").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Completion"
    assert_accessible(page, "completion")

    page.get_by_label("Framework", exact=True).select_option(label="Roads")
    page.get_by_label("Overdue only").check()
    page.get_by_role("button", name="Filter").click()
    table = page.locator("#supplier-table")
    assert "Slowcoach Builders Ltd" in table.inner_text()
    assert "Prompt Roofing Ltd" not in table.inner_text()
    assert "Elsewhere Ltd" not in table.inner_text()

    page.get_by_label("Select Slowcoach Builders Ltd").check()
    page.get_by_role("button", name="Send a reminder now").click()
    assert (
        "Reminder sent for 1 return"
        in page.locator(".govuk-notification-banner").inner_text()
    )
    assert len(mail.outbox) == 1 and late.reference in mail.outbox[0].body

    page.get_by_role("link", name="Slowcoach Builders Ltd").click()
    page.get_by_label("Phone call").check()
    page.get_by_label("What was said or agreed").fill("Spoke to Sam: by Friday")
    page.get_by_role("button", name="Record it").click()
    history = page.locator("#chase-history").inner_text()
    assert "Spoke to Sam: by Friday" in history
    assert "Reminder sent by" in history
    assert_accessible(page, "chase-history")
    assert list(
        Reminder.objects.filter(annual_return=late).values_list("channel", flat=True)
    ) == ["phone", "email"]
