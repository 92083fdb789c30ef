"""The demo's failed emails: the desk has two to show, one address bouncing."""

import datetime

import pytest

from demo.emails import build_failed_emails
from demo.load import DemoBuild
from returns.models import AnnualReturn, Notification
from returns.selectors.emails import failed_email_count
from tests import factories

pytestmark = pytest.mark.django_db


def test_the_demo_has_two_failed_emails_once_and_a_bouncing_address(team_client):
    build = DemoBuild(today=datetime.date(2025, 7, 3), scale=1)
    build_failed_emails(build)  # no issued year: nothing to do
    assert not Notification.objects.exists()
    year = factories.ReportingYearFactory(
        issued_at=datetime.datetime(2025, 4, 14, 7, tzinfo=datetime.UTC)
    )
    open_return = factories.issued_return(year=year)
    factories.issued_return(year=year, status=AnnualReturn.Status.SUBMITTED)
    for _ in range(2):
        build_failed_emails(build)
    assert failed_email_count() == 2
    desk = team_client.get("/team/").context["desk"]
    assert desk.figure("failed_emails").count == 2
    page = team_client.get(
        f"/team/returns/{open_return.reference}/chasing/"
    ).content.decode()
    assert "Email bouncing" in page
