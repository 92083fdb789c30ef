"""Faults an operator meets, with a real Celery worker on Redis and a real SMTP server
on this machine: the worker killed (SIGKILL) in the middle of a batch, the mail server
stopped in the middle of a batch, two reminder runs at once. Every person gets every
email; a crash repeats at most the one email in flight; the ledger tells the truth.

Each test prints its counts (sent, repeated, lost); run with `-s` to see them.
"""

import datetime
import os
import threading

import pytest
from django.db import connection
from django.utils import timezone

from returns.models import AnnualReturn, IssueRun, Notification, Reminder
from returns.services import reminders_send
from returns.tasks import issue_year, retry_notifications, send_reminders
from tests import factories
from tests.celery_worker import Worker, new_queue, tasks_sent_to_workers, wait_for
from tests.returns.test_issuing import contract_with
from tests.smtp_server import mail_server

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

DAY = "2025-06-29"  # the -1 reminder of the 2024/25 factory year
KEY = "2025-06-30:-1"
BATCH = 40
KILLED_AFTER = 15  # emails through before the one in flight when the worker dies


@pytest.fixture(autouse=True)
def _needs_broker():
    if not os.environ.get("CELERY_BROKER_URL"):
        pytest.skip("needs CELERY_BROKER_URL (Redis); CI sets it for PostgreSQL")


def worker_env(server) -> dict:
    """The worker's settings for the test: email through the test's SMTP server,
    retries after 1 s, a row `sending` for 3 s taken for a dead worker's."""
    return {
        "EMAIL_URL": server.url,
        "EMAIL_TIMEOUT": "5",
        "NOTIFICATION_RETRY_SECONDS": "1,1,1,1,1",
        "NOTIFICATION_SENDING_TIMEOUT": "3",
        "NOTIFICATION_QUEUED_GRACE": "0",
    }


def statuses(kind: str) -> dict[str, int]:
    """The ledger's rows of `kind` by status (not the earlier reminders of the
    schedule, which are skipped by design)."""
    counts: dict[str, int] = {}
    rows = Notification.objects.filter(kind=kind).exclude(status="skipped")
    for status in rows.values_list("status", flat=True):
        counts[status] = counts.get(status, 0) + 1
    return counts


def tally(server, expected: set[str]) -> dict[str, int]:
    received = server.per_address()
    return {
        "expected": len(expected),
        "sent": sum(1 for a in expected if received[a] >= 1),
        "repeated": sum(received[a] - 1 for a in expected if received[a] > 1),
        "lost": sum(1 for a in expected if received[a] == 0),
        "stray": sum(n for a, n in received.items() if a not in expected),
    }


def kill_mid_batch(server, queue: str, start) -> None:
    """Starts a worker, `start()`s the batch, and SIGKILLs the worker while the mail
    server holds the email after KILLED_AFTER: the server has it, the worker never
    hears "250 OK" (the one repeat a crash may cause)."""
    server.hold_at(KILLED_AFTER + 1, counts_as_received=True)
    worker = Worker(queue, worker_env(server)).start()
    try:
        start()
        assert server.holding.wait(60), worker.log()[-3000:]
        worker.kill()
    finally:
        server.release()
        worker.kill()


def finish_after_restart(server, queue: str, kind: str, total: int) -> None:
    """A new worker on the same queue; once a row left `sending` has timed out,
    the retry job (beat runs it every 2 minutes) sends what the dead worker did not."""
    worker = Worker(queue, worker_env(server)).start()
    try:
        wait_for(lambda: False, timeout=3.5)  # past NOTIFICATION_SENDING_TIMEOUT
        retry_notifications.apply_async(queue=queue)
        assert wait_for(lambda: statuses(kind).get("sent", 0) == total, timeout=60), (
            statuses(kind)
        )
    finally:
        worker.stop()


def issued_year(size: int) -> tuple[IssueRun, set[str]]:
    year = factories.ReportingYearFactory(ready_at=timezone.now())
    emails = set()
    for _ in range(size):
        contract = contract_with("150000.00")
        emails.add(
            factories.SupplierContactFactory(supplier=contract.supplier).user.email
        )
    return IssueRun.objects.create(year=year, dry_run=False), emails


def chased_returns(size: int, contacts: int = 1) -> tuple[list, set[str]]:
    year = factories.ReportingYearFactory()
    returns = [
        factories.issued_return(year=year, contacts=contacts) for _ in range(size)
    ]
    emails = {c.user.email for r in returns for c in r.supplier.contacts.all()}
    return returns, emails


def test_a_worker_killed_while_issued_emails_go_loses_none():
    run, expected = issued_year(BATCH)
    queue = new_queue()
    with mail_server() as server, tasks_sent_to_workers():
        kill_mid_batch(
            server,
            queue,
            lambda: issue_year.apply_async(kwargs={"run_id": run.pk}, queue=queue),
        )
        at_crash = statuses(Notification.Kind.ISSUED)
        assert at_crash == {
            "sent": KILLED_AFTER,
            "sending": 1,
            "queued": BATCH - KILLED_AFTER - 1,
        }
        run.refresh_from_db()
        assert run.status == IssueRun.Status.SUCCEEDED  # issuing had committed
        finish_after_restart(server, queue, Notification.Kind.ISSUED, BATCH)
        counts = tally(server, expected)
    print(f"\nissued, worker killed after {KILLED_AFTER} of {BATCH}: {counts}")
    assert counts == {
        "expected": BATCH,
        "sent": BATCH,
        "repeated": 1,  # the one in flight when the worker died
        "lost": 0,
        "stray": 0,
    }
    assert AnnualReturn.objects.filter(year=run.year).count() == BATCH


def test_a_worker_killed_while_reminders_go_loses_none_and_keeps_the_history():
    returns, expected = chased_returns(BATCH)
    queue = new_queue()
    with mail_server() as server, tasks_sent_to_workers():
        kill_mid_batch(
            server,
            queue,
            lambda: send_reminders.apply_async(kwargs={"today": DAY}, queue=queue),
        )
        at_crash = statuses(Notification.Kind.REMINDER)
        assert at_crash["sent"] == KILLED_AFTER and at_crash["sending"] == 1
        # The history of those emailed before the crash is already written.
        assert Reminder.objects.filter(key=KEY).count() == KILLED_AFTER
        finish_after_restart(server, queue, Notification.Kind.REMINDER, BATCH)
        counts = tally(server, expected)
    print(f"\nreminders, worker killed after {KILLED_AFTER} of {BATCH}: {counts}")
    assert counts == {
        "expected": BATCH,
        "sent": BATCH,
        "repeated": 1,
        "lost": 0,
        "stray": 0,
    }
    history = Reminder.objects.filter(key=KEY)
    assert history.count() == BATCH  # one per return and reminder
    assert {tuple(h.emailed_to) for h in history} == {(e,) for e in expected}


@pytest.mark.parametrize("kind", ["issued", "reminders"])
def test_the_mail_server_stopped_mid_batch_every_email_arrives_once(kind):
    if kind == "issued":
        run, expected = issued_year(BATCH)
        ledger_kind = Notification.Kind.ISSUED

        def start(queue):
            issue_year.apply_async(kwargs={"run_id": run.pk}, queue=queue)
    else:
        _, expected = chased_returns(BATCH)
        ledger_kind = Notification.Kind.REMINDER

        def start(queue):
            send_reminders.apply_async(kwargs={"today": DAY}, queue=queue)

    queue = new_queue()
    with mail_server() as server, tasks_sent_to_workers():
        # The 16th email is cut off mid-send: the server never had it.
        server.hold_at(KILLED_AFTER + 1, counts_as_received=False)
        worker = Worker(queue, worker_env(server)).start()
        try:
            start(queue)
            assert server.holding.wait(60), worker.log()[-3000:]
            server.stop()  # the outage
            assert wait_for(
                lambda: statuses(ledger_kind).get("failed", 0) == BATCH - KILLED_AFTER,
                timeout=60,
            ), statuses(ledger_kind)
            during = statuses(ledger_kind)
            server.start()  # back after the outage, on the same port
            wait_for(lambda: False, timeout=1.5)  # the first retry is due after 1 s
            retry_notifications.apply_async(queue=queue)  # as beat does every 2 min
            assert wait_for(
                lambda: statuses(ledger_kind).get("sent", 0) == BATCH, timeout=60
            ), (statuses(ledger_kind), worker.log()[-3000:])
        finally:
            worker.stop()
        counts = tally(server, expected)
    print(f"\n{kind}, mail server stopped after {KILLED_AFTER} of {BATCH}: {counts}")
    assert during == {"sent": KILLED_AFTER, "failed": BATCH - KILLED_AFTER}
    assert counts == {
        "expected": BATCH,
        "sent": BATCH,
        "repeated": 0,
        "lost": 0,
        "stray": 0,
    }
    retried = Notification.objects.filter(kind=ledger_kind, attempts=2)
    assert retried.count() == BATCH - KILLED_AFTER  # failed, then sent
    assert set(retried.values_list("status", flat=True)) == {"sent"}
    if kind == "reminders":
        assert Reminder.objects.filter(key=KEY).count() == BATCH


def test_two_reminder_runs_at_once_email_each_person_once_with_one_history_row_each():
    returns, expected = chased_returns(20, contacts=2)
    shared = factories.UserFactory()  # a contact of two suppliers
    for annual_return in returns[:2]:
        factories.SupplierContactFactory(supplier=annual_return.supplier, user=shared)
    expected.add(shared.email)
    barrier = threading.Barrier(2)
    results, errors = [], []
    with mail_server() as server, server.settings():

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
        counts = tally(server, expected)
    print(f"\ntwo reminder runs at once: {counts}")
    assert not errors
    assert counts == {
        "expected": 41,
        "sent": 41,
        "repeated": 0,
        "lost": 0,
        "stray": 0,
    }
    assert sum(r["emails"] for r in results) == 41
    history = Reminder.objects.filter(key=KEY)
    assert history.count() == 20  # one per return and reminder, not per run
    for annual_return in returns:
        row = history.get(annual_return=annual_return)
        contacts = {c.user.email for c in annual_return.supplier.contacts.all()}
        assert set(row.emailed_to) == contacts
        assert all(email in row.note for email in contacts)
