"""The daily reminder task on a real worker, and two runs at once, on PostgreSQL."""

import datetime
import os
import threading

import pytest
from django.db import connection

from returns.models import Notification, Reminder
from returns.services import reminders_send
from returns.tasks import send_reminders
from tests import factories
from tests.celery_worker import real_worker, wait_for

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

DAY = "2025-06-29"  # the -1 reminder of the 2024/25 factory year


def test_the_daily_task_on_a_real_worker_sends_once_and_a_rerun_sends_nothing():
    if not os.environ.get("CELERY_BROKER_URL"):
        pytest.skip(
            "needs CELERY_BROKER_URL (Redis); CI sets it for the PostgreSQL pass"
        )
    annual_return = factories.issued_return(contacts=2)
    with real_worker() as queue:
        send_reminders.apply_async(kwargs={"today": DAY}, queue=queue)
        assert wait_for(lambda: Reminder.objects.filter(annual_return=annual_return))
        sent = Notification.objects.filter(key="2025-06-30:-1", status="sent")
        assert wait_for(lambda: sent.count() == 2)
        send_reminders.apply_async(kwargs={"today": DAY}, queue=queue)
        send_reminders.apply_async(kwargs={"today": DAY}, queue=queue)
        # A task that only reads goes through the same queue after them: when it
        # has run, the re-runs have too.
        send_reminders.apply_async(kwargs={"today": "2025-06-01"}, queue=queue)
        wait_for(lambda: False, timeout=3)
    assert Reminder.objects.filter(annual_return=annual_return).count() == 1
    assert sent.count() == 2
    assert Notification.objects.count() == 6  # -14 and -7 skipped, for each contact


def test_two_runs_at_once_send_each_reminder_once():
    year = factories.ReportingYearFactory()
    for _ in range(20):
        factories.issued_return(year=year)
    barrier = threading.Barrier(2)
    results, errors = [], []

    def run():
        try:
            barrier.wait()
            results.append(reminders_send(today=datetime.date(2025, 6, 29)))
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert sum(r["emails"] for r in results) == 20
    assert sum(r["returns"] for r in results) == 20
    assert Reminder.objects.count() == 20
    assert Notification.objects.filter(status="sent").count() == 20
