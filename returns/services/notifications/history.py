"""The chase history written with each reminder's `sent`, in the same transaction.

One `Reminder` per return and reminder (its ledger key), naming every contact the
reminder went to: the first email sent creates it (with an event on the return), each
later one adds its address. The unique constraint on (return, key) makes two runs at
once, or a run and a retry, meet on the same row instead of writing two.
"""

import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone

from ... import events
from ...models import Notification, Reminder
from ..events import event_record


def offset_words(offset: int) -> str:
    days = abs(offset)
    plural = "" if days == 1 else "s"
    if offset < 0:
        return f"{days} day{plural} before the deadline"
    if offset > 0:
        return f"{days} day{plural} after the deadline"
    return "on the deadline day"


def _note(row: Notification, emailed_to: list[str]) -> str:
    emails = ", ".join(emailed_to)
    if row.requested_by_id:
        name = row.requested_by.get_full_name() or row.requested_by.email
        return f"Reminder sent by {name}. Emailed to {emails}."
    deadline, _, offset = row.key.partition(":")
    try:
        day = datetime.date.fromisoformat(deadline)
        when = f"{offset_words(int(offset))} ({day:%-d %B %Y})"
    except ValueError:  # not a schedule key: say only that it was automatic
        return f"Automatic reminder. Emailed to {emails}."
    return f"Automatic reminder, {when}. Emailed to {emails}."


def _locked_history(row: Notification) -> tuple[Reminder, bool]:
    history = (
        Reminder.objects.select_for_update()
        .filter(annual_return_id=row.annual_return_id, key=row.key)
        .first()
    )
    if history is not None:
        return history, False
    try:
        with transaction.atomic():  # a savepoint: another send may create it first
            return (
                Reminder.objects.create(
                    annual_return_id=row.annual_return_id,
                    key=row.key,
                    channel=Reminder.Channel.EMAIL,
                    sent_at=timezone.now(),
                    sent_by=row.requested_by,
                ),
                True,
            )
    except IntegrityError:
        history = Reminder.objects.select_for_update().get(
            annual_return_id=row.annual_return_id, key=row.key
        )
        return history, False


def chase_history_record(rows: list[Notification], *, address: str) -> int:
    """Adds `address` to the chase history of each return among `rows` (reminders
    just accepted by the mail server), creating the history row and its event on the
    first send. Call inside the transaction that marks the rows sent. Returns the
    number of returns."""
    by_return: dict[int, Notification] = {}
    for row in rows:
        if row.kind == Notification.Kind.REMINDER and row.annual_return_id:
            by_return.setdefault(row.annual_return_id, row)
    for row in by_return.values():
        history, created = _locked_history(row)
        emailed_to = sorted({*history.emailed_to, address})
        history.emailed_to = emailed_to
        history.note = _note(row, emailed_to)
        history.save(update_fields=["emailed_to", "note"])
        if created:
            event_record(
                annual_return=row.annual_return,
                kind=events.REMINDER,
                actor=row.requested_by,
                comment=history.note,
            )
    return len(by_return)
