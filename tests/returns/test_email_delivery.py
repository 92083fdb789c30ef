"""Every email arrives: the ledger moves queued → sending → sent one email at a time,
retries failures with back-off, sends again what a dead worker left `sending`, never
retries a refused address, and writes the chase history with each send."""

import datetime

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from returns import events
from returns.models import AnnualReturn, Notification, Reminder, ReturnEvent
from returns.selectors.emails import failed_email_count
from returns.services import (
    notification_send_again,
    notifications_deliver,
    notifications_queue,
    notifications_retry,
)
from returns.services.chasing import reminders_send_now
from returns.services.notifications.ledger import rows_claim, rows_mark_sent
from tests import factories
from tests.sessions import signed_in
from tests.smtp_server import mail_server

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2025, 7, 5, 10, 0, tzinfo=datetime.UTC)
RETRY_SECONDS = [60, 300, 1800, 7200, 21600]  # the settings' default


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def queue_approved(people, annual_return=None) -> list[int]:
    return notifications_queue(
        recipients=people,
        kind=Notification.Kind.APPROVED,
        annual_return=annual_return or factories.AnnualReturnFactory(),
        send=False,
    )


def broken_send(self, fail_silently=False):
    raise ConnectionError("mail server down")


def test_a_failed_email_is_retried_with_back_off_then_fails_for_good(
    monkeypatch, _frozen
):
    ids = queue_approved([factories.UserFactory()])
    monkeypatch.setattr("django.core.mail.EmailMultiAlternatives.send", broken_send)
    assert notifications_deliver(notification_ids=ids).failed == 1
    row = Notification.objects.get()
    tried_at = [row.failed_at]
    for delay in RETRY_SECONDS:
        assert row.status == Notification.Status.FAILED
        assert row.next_attempt_at == row.failed_at + datetime.timedelta(seconds=delay)
        _frozen.shift(delay - 1)
        assert notifications_retry().failed == 0  # not due yet: nothing tried
        _frozen.shift(1)
        assert notifications_retry().failed == 1
        row.refresh_from_db()
        tried_at.append(row.failed_at)
    assert row.attempts == 6 and row.failed_for_good
    assert "mail server down" in row.last_error
    # 1, 5, 30 minutes, 2 and 6 hours after each failure
    gaps = [
        (b - a).total_seconds() for a, b in zip(tried_at, tried_at[1:], strict=False)
    ]
    assert gaps == RETRY_SECONDS
    _frozen.shift(datetime.timedelta(days=3))
    assert notifications_retry().failed == 0
    assert failed_email_count() == 1


def test_a_row_left_sending_by_a_dead_worker_is_sent_again_once_after_the_timeout(
    _frozen,
):
    ids = queue_approved([factories.UserFactory()])
    token, rows = rows_claim(ids)  # the worker claimed it, then died
    assert rows and Notification.objects.get().status == "sending"
    _frozen.shift(599)
    assert notifications_retry().emails == 0  # it may still be alive
    _frozen.shift(2)
    assert notifications_retry().emails == 1
    assert notifications_retry().emails == 0
    row = Notification.objects.get()
    assert row.status == "sent" and row.attempts == 2
    assert len(mail.outbox) == 1


def test_a_sender_whose_claim_was_taken_over_records_nothing(_frozen):
    ids = queue_approved([factories.UserFactory()])
    token, rows = rows_claim(ids)  # a sender so slow it is taken for dead
    _frozen.shift(601)
    assert notifications_retry().emails == 1  # another sends it and records it
    assert rows_mark_sent(rows, token=token, address="x@example.com") == []
    row = Notification.objects.get()
    assert row.status == "sent" and row.address != "x@example.com"


def test_a_queued_row_whose_task_was_lost_is_sent_by_the_retry_job(_frozen):
    ids = queue_approved([factories.UserFactory()])  # its task never ran
    assert notifications_retry().emails == 0  # fresh rows are their own task's
    _frozen.shift(121)
    assert notifications_retry().emails == 1
    assert Notification.objects.get(pk=ids[0]).status == "sent"


def test_the_ledger_goes_failed_then_sent_when_the_mail_server_is_back(_frozen):
    people = [factories.UserFactory() for _ in range(3)]
    with mail_server() as server, server.settings():
        server.stop()  # the outage
        ids = queue_approved(people)
        assert notifications_deliver(notification_ids=ids).failed == 3
        assert set(Notification.objects.values_list("status", flat=True)) == {"failed"}
        server.start()  # back, on the same port
        _frozen.shift(60)
        assert notifications_retry().emails == 3
        assert notifications_retry().emails == 0
    assert server.per_address() == {person.email: 1 for person in people}
    assert set(Notification.objects.values_list("status", "attempts")) == {("sent", 2)}


def test_a_refused_address_is_not_retried_and_shows_as_bouncing(
    team_client, team_user, _frozen
):
    annual_return = factories.issued_return(contacts=2)
    refused, fine = (
        c.user for c in annual_return.supplier.contacts.order_by("-is_primary")
    )
    with mail_server() as server, server.settings():
        server.refuse(refused.email)
        ids = queue_approved([refused, fine], annual_return)
        result = notifications_deliver(notification_ids=ids)
        assert (result.emails, result.failed) == (1, 1)
        row = Notification.objects.get(recipient=refused)
        assert row.status == "failed" and row.refused and row.next_attempt_at is None
        assert "550" in row.last_error
        _frozen.shift(datetime.timedelta(days=1))
        assert notifications_retry().failed == 0  # never tried again
    assert server.per_address() == {fine.email: 1}
    assert failed_email_count() == 1

    signed_in(team_client, team_user)  # a day later: a new session
    page = team_client.get(
        f"/team/returns/{annual_return.reference}/chasing/"
    ).content.decode()
    assert page.count("Email bouncing") == 1
    # The team corrects the address: the old refusal no longer marks it.
    refused.email = "corrected@example.com"
    refused.save()
    page = team_client.get(
        f"/team/returns/{annual_return.reference}/chasing/"
    ).content.decode()
    assert "Email bouncing" not in page


def test_chase_history_is_written_with_each_send_one_row_per_return_and_reminder(
    monkeypatch, team_user, _frozen
):
    annual_return = factories.issued_return(
        contacts=2, status=AnnualReturn.Status.IN_PROGRESS
    )
    first, second = (
        c.user for c in annual_return.supplier.contacts.order_by("-is_primary")
    )
    real_send = mail.EmailMultiAlternatives.send

    def first_fails(self, fail_silently=False):
        if self.to == [first.email]:
            raise ConnectionError("mail server down")
        return real_send(self, fail_silently)

    monkeypatch.setattr("django.core.mail.EmailMultiAlternatives.send", first_fails)
    assert (
        reminders_send_now(
            annual_returns=[annual_return], acting_user=team_user, token="t"
        )
        == 1
    )
    history = Reminder.objects.get(annual_return=annual_return)
    assert history.emailed_to == [second.email]  # only who was emailed
    assert history.sent_by == team_user and history.key == "manual:t"

    monkeypatch.undo()
    _frozen.shift(60)
    assert notifications_retry().emails == 1
    history = Reminder.objects.get(annual_return=annual_return)  # still one row
    assert history.emailed_to == sorted([first.email, second.email])
    assert first.email in history.note and second.email in history.note
    assert ReturnEvent.objects.filter(kind=events.REMINDER).count() == 1


def test_a_retry_does_not_chase_a_return_submitted_meanwhile(monkeypatch, _frozen):
    annual_return = factories.issued_return()
    ids = notifications_queue(
        recipients=[annual_return.supplier.contacts.get().user],
        kind=Notification.Kind.REMINDER,
        annual_return=annual_return,
        key="2025-06-30:7",
        send=False,
    )
    monkeypatch.setattr("django.core.mail.EmailMultiAlternatives.send", broken_send)
    notifications_deliver(notification_ids=ids)
    monkeypatch.undo()
    AnnualReturn.objects.filter(pk=annual_return.pk).update(
        status=AnnualReturn.Status.SUBMITTED
    )
    _frozen.shift(60)
    assert notifications_retry().emails == 0
    assert Notification.objects.get().status == "skipped"
    assert not mail.outbox and not Reminder.objects.exists()


def test_send_again_gives_a_failed_email_a_fresh_set_of_tries(
    monkeypatch, team_user, _frozen, django_capture_on_commit_callbacks
):
    annual_return = factories.AnnualReturnFactory()
    ids = queue_approved([factories.UserFactory()], annual_return)
    monkeypatch.setattr("django.core.mail.EmailMultiAlternatives.send", broken_send)
    for delay in [0, *RETRY_SECONDS]:
        _frozen.shift(delay)
        notifications_deliver(notification_ids=ids)
    row = Notification.objects.get()
    assert row.failed_for_good and row.attempts == 6
    monkeypatch.undo()
    with django_capture_on_commit_callbacks(execute=True):
        notification_send_again(notification=row, acting_user=team_user)
    row.refresh_from_db()
    assert row.status == "sent" and row.attempts == 1
    assert row.resent_by == team_user and row.resent_at == timezone.now()
    assert len(mail.outbox) == 1
    event = ReturnEvent.objects.get(kind=events.EMAIL_SENT_AGAIN)
    assert event.annual_return == annual_return and event.actor == team_user
    with pytest.raises(Exception, match="Only an email that failed"):
        notification_send_again(notification=row, acting_user=team_user)


def test_the_teams_email_about_a_contact_change_arrives_after_an_outage(
    supplier_user, monkeypatch, _frozen, django_capture_on_commit_callbacks
):
    from django.conf import settings

    from accounts.services.colleagues import colleague_invite

    monkeypatch.setattr("django.core.mail.EmailMultiAlternatives.send", broken_send)
    supplier = supplier_user.supplier_contacts.get().supplier
    with django_capture_on_commit_callbacks(execute=True):
        colleague_invite(
            supplier=supplier, acting_user=supplier_user, email="new@example.com"
        )
    team_row = Notification.objects.get(kind=Notification.Kind.CONTACTS_CHANGED)
    assert team_row.recipient is None and team_row.address == settings.PORTAL_TEAM_EMAIL
    assert team_row.status == "failed"
    monkeypatch.undo()
    _frozen.shift(60)
    assert notifications_retry().emails == 2  # the invitation and the team's email
    [to_team] = [m for m in mail.outbox if m.to == [settings.PORTAL_TEAM_EMAIL]]
    assert supplier.name in to_team.subject
    assert "invited new@example.com" in to_team.body
