"""The team's chasing: reminders sent now, calls and notes, extensions, not required."""

import datetime

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import ValidationError

from returns import events
from returns.models import AnnualReturn, Notification, Reminder, ReturnEvent
from returns.services import chasing
from tests import factories

pytestmark = pytest.mark.django_db

TODAY = datetime.datetime(2025, 7, 5, 10, 0)


@pytest.fixture(autouse=True)
def _in_season():
    with time_machine.travel(TODAY, tick=False):
        yield


def test_a_reminder_sent_now_emails_each_person_once_and_shows_in_the_history(
    team_user,
):
    year = factories.ReportingYearFactory()
    shared = factories.UserFactory()
    first = factories.issued_return(year=year)
    second = factories.issued_return(year=year, contacts=2)
    for annual_return in (first, second):
        factories.SupplierContactFactory(supplier=annual_return.supplier, user=shared)

    for _ in range(2):  # a double click: the same form token
        chasing.reminders_send_now(
            annual_returns=[first, second], acting_user=team_user, token="abc"
        )

    assert sorted(len(m.to) for m in mail.outbox) == [1, 1, 1, 1]
    assert len(mail.outbox) == 4  # first's contact, second's two, the shared one
    [to_shared] = [m for m in mail.outbox if m.to == [shared.email]]
    assert first.reference in to_shared.body and second.reference in to_shared.body
    history = Reminder.objects.filter(annual_return=second).get()
    assert history.channel == Reminder.Channel.EMAIL
    assert history.sent_by == team_user
    assert shared.email in history.note
    assert ReturnEvent.objects.filter(kind=events.REMINDER).count() == 2

    chasing.reminders_send_now(
        annual_returns=[first], acting_user=team_user, token="another-form"
    )
    assert len(mail.outbox) == 6


def test_a_reminder_now_is_refused_for_a_submitted_return_or_one_without_contacts(
    team_user,
):
    open_return = factories.issued_return()
    submitted = factories.issued_return(status=AnnualReturn.Status.SUBMITTED)
    with pytest.raises(ValidationError) as error:
        chasing.reminders_send_now(
            annual_returns=[open_return, submitted], acting_user=team_user, token="t"
        )
    assert submitted.reference in str(error.value)
    no_contact = factories.issued_return(contacts=0)
    with pytest.raises(ValidationError) as error:
        chasing.reminders_send_now(
            annual_returns=[open_return, no_contact], acting_user=team_user, token="t"
        )
    assert "no active contact" in str(error.value)
    assert not mail.outbox and not Notification.objects.exists()
    with pytest.raises(ValidationError, match="Select at least one"):
        chasing.reminders_send_now(annual_returns=[], acting_user=team_user, token="t")


def test_a_phone_call_and_a_note_are_recorded_with_an_event(team_user):
    annual_return = factories.issued_return()
    chasing.reminder_record(
        annual_return=annual_return,
        channel=Reminder.Channel.PHONE,
        note="Spoke to Sam: submitting Friday",
        acting_user=team_user,
    )
    chasing.reminder_record(
        annual_return=annual_return,
        channel=Reminder.Channel.NOTE,
        note="Left a voicemail",
        acting_user=team_user,
    )
    assert list(
        annual_return.reminders.order_by("pk").values_list("channel", "note")
    ) == [("phone", "Spoke to Sam: submitting Friday"), ("note", "Left a voicemail")]
    event = ReturnEvent.objects.filter(kind=events.REMINDER).first()
    assert event.actor == team_user and "Phone call" in event.comment
    with pytest.raises(ValidationError) as error:
        chasing.reminder_record(
            annual_return=annual_return,
            channel="phone",
            note="  ",
            acting_user=team_user,
        )
    assert error.value.message_dict == {"note": [chasing.NOTE_NEEDED]}
    assert annual_return.reminders.count() == 2


def test_an_extension_moves_the_effective_deadline_with_a_reason_and_event(team_user):
    annual_return = factories.issued_return()
    chasing.return_extend(
        annual_return=annual_return,
        deadline=datetime.date(2025, 7, 31),
        reason="Bereavement",
        acting_user=team_user,
    )
    annual_return.refresh_from_db()
    assert annual_return.effective_deadline == datetime.date(2025, 7, 31)
    assert annual_return.extension_reason == "Bereavement"
    event = ReturnEvent.objects.get(kind=events.EXTENDED)
    assert event.snapshot == {"from": "2025-06-30", "to": "2025-07-31"}
    assert event.actor == team_user


@pytest.mark.parametrize(
    ("deadline", "reason", "field", "message"),
    [
        (datetime.date(2025, 6, 30), "why", "deadline", "must be after the year"),
        (datetime.date(2025, 7, 4), "why", "deadline", "today or later"),
        (datetime.date(2025, 7, 31), " ", "reason", "Enter the reason"),
    ],
)
def test_a_bad_extension_says_what_is_wrong_and_changes_nothing(
    team_user, deadline, reason, field, message
):
    annual_return = factories.issued_return()
    with pytest.raises(ValidationError) as error:
        chasing.return_extend(
            annual_return=annual_return,
            deadline=deadline,
            reason=reason,
            acting_user=team_user,
        )
    assert message in error.value.message_dict[field][0]
    annual_return.refresh_from_db()
    assert annual_return.extended_deadline is None
    assert not ReturnEvent.objects.exists()


def test_a_submitted_return_cannot_be_extended(team_user):
    annual_return = factories.issued_return(status=AnnualReturn.Status.SUBMITTED)
    with pytest.raises(ValidationError, match="Only a return not started"):
        chasing.return_extend(
            annual_return=annual_return,
            deadline=datetime.date(2025, 7, 31),
            reason="x",
            acting_user=team_user,
        )


def test_not_required_and_back_restores_the_previous_state(team_user):
    annual_return = factories.issued_return(status=AnnualReturn.Status.IN_PROGRESS)
    chasing.return_mark_not_required(
        annual_return=annual_return, reason="Contract novated", acting_user=team_user
    )
    annual_return.refresh_from_db()
    assert annual_return.status == AnnualReturn.Status.NOT_REQUIRED
    assert annual_return.not_required_reason == "Contract novated"
    with pytest.raises(ValidationError, match="already marked"):
        chasing.return_mark_not_required(
            annual_return=annual_return, reason="again", acting_user=team_user
        )
    chasing.return_mark_required(
        annual_return=annual_return,
        reason="Novation fell through",
        acting_user=team_user,
    )
    annual_return.refresh_from_db()
    assert annual_return.status == AnnualReturn.Status.IN_PROGRESS
    assert list(ReturnEvent.objects.order_by("pk").values_list("kind", "comment")) == [
        (events.NOT_REQUIRED, "Contract novated"),
        (events.REQUIRED_AGAIN, "Novation fell through"),
    ]


def test_not_required_needs_a_reason_and_an_open_return(team_user):
    approved = factories.issued_return(status=AnnualReturn.Status.APPROVED)
    with pytest.raises(ValidationError, match="approved return"):
        chasing.return_mark_not_required(
            annual_return=approved, reason="x", acting_user=team_user
        )
    open_return = factories.issued_return()
    with pytest.raises(ValidationError) as error:
        chasing.return_mark_not_required(
            annual_return=open_return, reason="", acting_user=team_user
        )
    assert error.value.message_dict == {"reason": [chasing.REASON_NEEDED]}
    with pytest.raises(ValidationError, match="is not marked"):
        chasing.return_mark_required(
            annual_return=open_return, reason="x", acting_user=team_user
        )
    open_return.refresh_from_db()
    assert open_return.status == AnnualReturn.Status.NOT_STARTED
