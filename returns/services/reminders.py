"""Automatic reminders: the daily schedule, at most one email per person a day.

The rule (DESIGN "Return states", issue 6):

- A return is chased while it is `not_started` or `in_progress` (figures.CHASED):
  none once submitted, with the supplier for amendment, approved or not required.
- For each of the year's offsets, a reminder is due on effective deadline + offset,
  if that day is on or after the day the return was issued.
- Each day only the latest due reminder not yet sent goes; the earlier ones are
  marked skipped, so an outage never produces a burst.
- The ledger key is "<effective deadline>:<offset>", so an extension starts a new
  schedule; one `Notification` row per (contact, return, key) makes each at most once.
- One email per person, listing all their returns that have a reminder today.
- Each email is claimed (queued → sending) just before it goes and marked sent just
  after the mail server accepted it (`notifications.delivery`), so a re-run, a retry or
  two runs at once never send twice, and a crash repeats at most the one in flight.
  The chase history (`Reminder`, one per return and reminder, naming every contact
  emailed) is written with each send, in the same transaction as its `sent`.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from accounts.models import SupplierContact

from ..figures import chased_returns
from ..models import AnnualReturn, Notification
from .notifications import notifications_deliver
from .notifications.history import offset_words

__all__ = [
    "active_contacts_by_supplier",
    "due_offsets",
    "offset_words",
    "reminder_key",
    "reminders_due",
    "reminders_send",
]

SKIPPED = Notification.Status.SKIPPED
QUEUED = Notification.Status.QUEUED
FAILED = Notification.Status.FAILED


def reminder_key(deadline: datetime.date, offset: int) -> str:
    return f"{deadline.isoformat()}:{offset}"


def _issue_day(annual_return: AnnualReturn) -> datetime.date:
    if annual_return.issued_at:
        return timezone.localdate(annual_return.issued_at)
    return annual_return.year.issue_on


def due_offsets(
    annual_return: AnnualReturn, *, today: datetime.date
) -> list[tuple[int, str]]:
    """The (offset, key) pairs of this return's schedule due by `today`, oldest first."""
    deadline = annual_return.effective_deadline
    issued = _issue_day(annual_return)
    due = []
    for offset in sorted(set(annual_return.year.reminder_offsets or [])):
        day = deadline + datetime.timedelta(days=offset)
        if issued <= day <= today:
            due.append((offset, reminder_key(deadline, offset)))
    return due


@dataclass(frozen=True)
class DueReminder:
    annual_return: AnnualReturn
    offset: int
    key: str
    skipped_keys: tuple[str, ...]


def reminders_due(*, today: datetime.date) -> list[DueReminder]:
    """For each chased return, the latest reminder of its schedule due by `today`
    (and the earlier due ones, which are to be skipped). Reads only."""
    due = []
    returns = chased_returns().select_related("year", "supplier").order_by("pk")
    for annual_return in returns:
        schedule = due_offsets(annual_return, today=today)
        if not schedule:
            continue
        offset, key = schedule[-1]
        due.append(
            DueReminder(
                annual_return=annual_return,
                offset=offset,
                key=key,
                skipped_keys=tuple(k for _, k in schedule[:-1]),
            )
        )
    return due


def active_contacts_by_supplier(supplier_ids) -> dict[int, list]:
    """The users to email for each supplier: its active contacts who can sign in."""
    contacts: dict[int, list] = defaultdict(list)
    for contact in (
        SupplierContact.objects.filter(
            supplier_id__in=list(supplier_ids),
            is_active=True,
            user__is_active=True,
            supplier__is_active=True,
        )
        .select_related("user")
        .order_by("-is_primary", "user__email")
    ):
        contacts[contact.supplier_id].append(contact.user)
    return contacts


@transaction.atomic
def _queue(*, today: datetime.date) -> list[int]:
    """Writes the ledger rows for today: the latest due reminder queued, earlier
    due ones skipped. Returns the ids of queued rows to send now."""
    due = reminders_due(today=today)
    contacts = active_contacts_by_supplier({d.annual_return.supplier_id for d in due})
    rows = []
    for item in due:
        for user in contacts.get(item.annual_return.supplier_id, []):
            rows.append(
                Notification(
                    recipient=user,
                    annual_return=item.annual_return,
                    kind=Notification.Kind.REMINDER,
                    key=item.key,
                )
            )
            rows += [
                Notification(
                    recipient=user,
                    annual_return=item.annual_return,
                    kind=Notification.Kind.REMINDER,
                    key=key,
                    status=SKIPPED,
                )
                for key in item.skipped_keys
            ]
    Notification.objects.bulk_create(rows, ignore_conflicts=True, batch_size=1000)
    reminders = Notification.objects.filter(kind=Notification.Kind.REMINDER)
    latest = {(d.annual_return.pk, d.key) for d in due}
    # Anything still waiting (queued, or failed with a try left) that is not today's
    # latest (an older step of the schedule, or a return no longer chased) will never
    # go: today's reminder replaces it, so an outage never produces a burst.
    waiting = Q(status=QUEUED) | Q(status=FAILED, next_attempt_at__isnull=False)
    stale = [
        pk
        for pk, return_id, key in reminders.filter(waiting)
        .exclude(key__startswith="manual:")
        .values_list("pk", "annual_return_id", "key")
        if (return_id, key) not in latest
    ]
    if stale:
        reminders.filter(waiting, pk__in=stale).update(
            status=SKIPPED, next_attempt_at=None
        )
    return list(
        reminders.filter(
            status=QUEUED, annual_return__in=[d.annual_return for d in due]
        )
        .exclude(key__startswith="manual:")
        .values_list("pk", flat=True)
    )


def reminders_send(*, today: datetime.date | None = None) -> dict[str, int]:
    """Queues and sends today's automatic reminders, writing each return's chase
    history as its emails go. Safe to run twice, or twice at once: the second run
    finds every row claimed and sends nothing. Returns the emails sent and the returns
    they reminded. Called by the daily `send_reminders` task (06:30 London) and
    `manage.py send_reminders`."""
    today = today or timezone.localdate()
    queued = _queue(today=today)
    delivery = notifications_deliver(notification_ids=queued)
    return {"emails": delivery.emails, "returns": len(delivery.return_ids)}
