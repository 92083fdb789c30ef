"""The email ledger: one email per person, return, kind and key (what happens when
sending fails is in test_email_delivery.py)."""

import pytest
from django.core import mail

from returns.models import Notification
from returns.services import notifications_queue, notifications_send
from tests import factories

pytestmark = pytest.mark.django_db


def test_queueing_twice_creates_one_row_per_person_and_sends_once(
    django_capture_on_commit_callbacks,
):
    contact = factories.SupplierContactFactory()
    annual_return = factories.AnnualReturnFactory(supplier=contact.supplier)
    for _ in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            notifications_queue(
                recipients=[contact.user, contact.user],
                kind=Notification.Kind.APPROVED,
                annual_return=annual_return,
            )
    assert Notification.objects.count() == 1
    assert Notification.objects.get().status == Notification.Status.SENT
    assert len(mail.outbox) == 1
    assert annual_return.reference in mail.outbox[0].body
    assert mail.outbox[0].to == [contact.user.email]


def test_one_email_per_person_lists_all_their_returns():
    person = factories.UserFactory()
    returns = [factories.AnnualReturnFactory() for _ in range(3)]
    ids = []
    for annual_return in returns:
        ids += notifications_queue(
            recipients=[person],
            kind=Notification.Kind.APPROVED,
            annual_return=annual_return,
            send=False,
        )
    assert notifications_send(notification_ids=ids) == 1
    assert len(mail.outbox) == 1
    for annual_return in returns:
        assert annual_return.reference in mail.outbox[0].body
    assert notifications_send(notification_ids=ids) == 0
    assert len(mail.outbox) == 1


def test_a_failed_send_is_recorded_with_its_next_try(monkeypatch):
    person = factories.UserFactory()
    ids = notifications_queue(
        recipients=[person],
        kind=Notification.Kind.APPROVED,
        annual_return=factories.AnnualReturnFactory(),
        send=False,
    )

    def broken_send(self, fail_silently=False):
        raise ConnectionError("mail server down")

    monkeypatch.setattr("django.core.mail.EmailMultiAlternatives.send", broken_send)
    assert notifications_send(notification_ids=ids) == 0
    row = Notification.objects.get()
    assert row.status == Notification.Status.FAILED
    assert row.attempts == 1 and row.next_attempt_at > row.failed_at
    assert "mail server down" in row.last_error
