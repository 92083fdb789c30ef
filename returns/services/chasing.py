"""The team's chasing: a reminder sent now, a phone call or note recorded, a deadline
extended, a return marked not required (and back). Each records an event.

Called by the chase history page and the completion page's supplier table.
"""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from core import limits

from .. import events
from ..figures import CHASED

__all__ = [
    "CHASED",
    "reminder_record",
    "reminders_send_now",
    "return_extend",
    "return_mark_not_required",
    "return_mark_required",
]
from ..models import AnnualReturn, Notification, Reminder
from ..selectors.guard_rails import not_required_consequence
from .confirmation import require_confirmation
from .events import event_record
from .notifications import notifications_deliver
from .reminders import active_contacts_by_supplier
from .summary import summary_refresh_return

NOTE_NEEDED = "Say what was said or agreed"
REASON_NEEDED = "Enter the reason"
CHANNEL_UNKNOWN = "Choose phone call or note"
NOTHING_SELECTED = "Select at least one supplier to remind"
NOT_CHASED = (
    "{references}: only returns not started or in progress can be sent a reminder"
)
NO_CONTACT = "{references}: no active contact to email; record a phone call instead"
EXTEND_NOT_OPEN = (
    "Only a return not started, in progress or with the supplier can be extended"
)
EXTEND_NOT_AFTER = (
    "The new deadline must be after the year's deadline, {deadline:%-d %B %Y}"
)
EXTEND_PAST = "The new deadline must be today or later"
ALREADY_NOT_REQUIRED = "This return is already marked not required"
NOT_REQUIRED_CLOSED = "An approved return cannot be marked not required"
NOT_NOT_REQUIRED = "This return is not marked not required"


def _locked(annual_return: AnnualReturn) -> AnnualReturn:
    return (
        AnnualReturn.objects.select_for_update()
        .select_related("year", "supplier")
        .get(pk=annual_return.pk)
    )


@transaction.atomic
def reminder_record(
    *, annual_return: AnnualReturn, channel: str, note: str, acting_user
) -> Reminder:
    """Records a phone call or a note in the return's chase history, with an event."""
    note = (note or "").strip()
    errors = {}
    if channel not in (Reminder.Channel.PHONE, Reminder.Channel.NOTE):
        errors["channel"] = CHANNEL_UNKNOWN
    if not note:
        errors["note"] = NOTE_NEEDED
    elif message := limits.over(note, label="The note", limit=limits.NOTE):
        errors["note"] = message
    if errors:
        raise ValidationError(errors)
    reminder = Reminder.objects.create(
        annual_return=annual_return,
        channel=channel,
        sent_at=timezone.now(),
        sent_by=acting_user,
        note=note,
    )
    label = Reminder.Channel(channel).label
    event_record(
        annual_return=annual_return,
        kind=events.REMINDER,
        actor=acting_user,
        comment=f"{label}: {note}",
    )
    return reminder


def reminders_send_now(
    *, annual_returns: list[AnnualReturn], acting_user, token: str
) -> int:
    """Emails the contacts of each selected return now, one email per person listing
    all their selected returns; each return's chase history names who asked and every
    contact emailed, written as each email goes. `token` identifies the form that
    asked (a double click sends once). All or nothing: a return that is not chased,
    or has no contact, refuses the lot. An email the mail server does not take now is
    retried by the retry job like any other. Returns the number of emails sent now."""
    annual_returns = list({r.pk: r for r in annual_returns}.values())
    if not annual_returns:
        raise ValidationError(NOTHING_SELECTED)
    not_chased = [r.reference for r in annual_returns if r.status not in CHASED]
    if not_chased:
        raise ValidationError(NOT_CHASED.format(references=", ".join(not_chased)))
    contacts = active_contacts_by_supplier({r.supplier_id for r in annual_returns})
    no_contact = [
        r.reference for r in annual_returns if not contacts.get(r.supplier_id)
    ]
    if no_contact:
        raise ValidationError(NO_CONTACT.format(references=", ".join(no_contact)))
    key = f"manual:{token}"[:100]
    with transaction.atomic():
        Notification.objects.bulk_create(
            [
                Notification(
                    recipient=user,
                    annual_return=annual_return,
                    kind=Notification.Kind.REMINDER,
                    key=key,
                    address=user.email,
                    requested_by=acting_user,
                )
                for annual_return in annual_returns
                for user in contacts[annual_return.supplier_id]
            ],
            ignore_conflicts=True,
        )
        queued = list(
            Notification.objects.filter(
                kind=Notification.Kind.REMINDER,
                key=key,
                annual_return__in=annual_returns,
                status=Notification.Status.QUEUED,
            ).values_list("pk", flat=True)
        )
    return notifications_deliver(notification_ids=queued).emails


@transaction.atomic
def return_extend(
    *,
    annual_return: AnnualReturn,
    deadline: datetime.date,
    reason: str,
    acting_user,
) -> AnnualReturn:
    """Grants an extended deadline with a reason. Overdue and on-time are judged
    against it, and the automatic reminders start a new schedule from it."""
    annual_return = _locked(annual_return)
    reason = (reason or "").strip()
    errors = {}
    if annual_return.status not in AnnualReturn.EDITABLE:
        raise ValidationError(EXTEND_NOT_OPEN)
    if deadline is None or deadline <= annual_return.year.deadline:
        errors["deadline"] = EXTEND_NOT_AFTER.format(
            deadline=annual_return.year.deadline
        )
    elif deadline < timezone.localdate():
        errors["deadline"] = EXTEND_PAST
    if not reason:
        errors["reason"] = REASON_NEEDED
    elif message := limits.over(reason, label="The reason", limit=limits.NOTE):
        errors["reason"] = message
    if errors:
        raise ValidationError(errors)
    previous = annual_return.effective_deadline
    annual_return.extended_deadline = deadline
    annual_return.extension_reason = reason
    annual_return.save(update_fields=["extended_deadline", "extension_reason"])
    event_record(
        annual_return=annual_return,
        kind=events.EXTENDED,
        actor=acting_user,
        comment=reason,
        snapshot={"from": previous.isoformat(), "to": deadline.isoformat()},
    )
    return annual_return


@transaction.atomic
def return_mark_not_required(
    *, annual_return: AnnualReturn, reason: str, acting_user, confirmed: bool = False
) -> AnnualReturn:
    """Takes an open return out of chasing and out of the completion figures,
    remembering its state so it can be put back. A return with figures entered is
    refused (ConfirmationNeeded) until the team confirms that they will count
    nowhere; the confirmation is recorded with the event."""
    annual_return = _locked(annual_return)
    reason = (reason or "").strip()
    if annual_return.status == AnnualReturn.Status.NOT_REQUIRED:
        raise ValidationError(ALREADY_NOT_REQUIRED)
    if annual_return.status == AnnualReturn.Status.APPROVED:
        raise ValidationError(NOT_REQUIRED_CLOSED)
    if not reason:
        raise ValidationError({"reason": REASON_NEEDED})
    limits.require_length(reason, label="The reason", limit=limits.NOTE, field="reason")
    note = require_confirmation(
        not_required_consequence(annual_return=annual_return), confirmed=confirmed
    )
    previous = annual_return.status
    annual_return.status_before_not_required = previous
    annual_return.status = AnnualReturn.Status.NOT_REQUIRED
    annual_return.not_required_reason = reason
    annual_return.save(
        update_fields=["status", "status_before_not_required", "not_required_reason"]
    )
    summary_refresh_return(annual_return_id=annual_return.pk)
    event_record(
        annual_return=annual_return,
        kind=events.NOT_REQUIRED,
        actor=acting_user,
        comment="\n".join(part for part in (reason, note) if part),
        snapshot={"from": previous},
    )
    return annual_return


@transaction.atomic
def return_mark_required(
    *, annual_return: AnnualReturn, reason: str, acting_user
) -> AnnualReturn:
    """Puts a not-required return back into the state it was in."""
    annual_return = _locked(annual_return)
    reason = (reason or "").strip()
    if annual_return.status != AnnualReturn.Status.NOT_REQUIRED:
        raise ValidationError(NOT_NOT_REQUIRED)
    if not reason:
        raise ValidationError({"reason": REASON_NEEDED})
    limits.require_length(reason, label="The reason", limit=limits.NOTE, field="reason")
    restored = (
        annual_return.status_before_not_required or AnnualReturn.Status.NOT_STARTED
    )
    annual_return.status = restored
    annual_return.status_before_not_required = ""
    annual_return.save(update_fields=["status", "status_before_not_required"])
    summary_refresh_return(annual_return_id=annual_return.pk)
    event_record(
        annual_return=annual_return,
        kind=events.REQUIRED_AGAIN,
        actor=acting_user,
        comment=reason,
        snapshot={"to": restored},
    )
    return annual_return
