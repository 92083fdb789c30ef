"""The demo's chasing step: chase history for the latest issued year, idempotent."""

import datetime

import pytest

from demo.chasing import build_chasing
from demo.load import DemoBuild
from returns.models import AnnualReturn, Notification, Reminder, ReturnEvent
from tests import factories

pytestmark = pytest.mark.django_db


def test_the_chasing_step_writes_history_once_and_only_for_an_issued_year():
    today = datetime.date(2025, 7, 3)
    build = DemoBuild(today=today, scale=1)
    build_chasing(build)  # no issued year: nothing to do
    assert not Reminder.objects.exists()

    year = factories.ReportingYearFactory(
        issued_at=datetime.datetime(2025, 4, 14, 7, tzinfo=datetime.UTC)
    )
    factories.UserFactory(email="team@example.org")
    returns = [factories.issued_return(year=year) for _ in range(60)]
    build_chasing(build)
    counts = (
        Reminder.objects.count(),
        Notification.objects.count(),
        ReturnEvent.objects.count(),
        AnnualReturn.objects.filter(status="not_required").count(),
    )
    automatic = Reminder.objects.filter(channel="email", sent_by__isnull=True)
    # Every open return on the year's deadline had the -14, -7, -1 and +1
    # reminders by 3 July; an extended one is on its own schedule.
    on_time_open = AnnualReturn.objects.filter(
        status__in=["not_started", "in_progress"], extended_deadline__isnull=True
    )
    assert automatic.filter(annual_return__in=on_time_open).count() == (
        4 * on_time_open.count()
    )
    assert Reminder.objects.exclude(channel="email").exists()
    build_chasing(build)
    assert counts == (
        Reminder.objects.count(),
        Notification.objects.count(),
        ReturnEvent.objects.count(),
        AnnualReturn.objects.filter(status="not_required").count(),
    )
    assert len(returns) == 60
