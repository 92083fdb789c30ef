"""Email through the `Notification` ledger: every email arrives, and at most one
repeat per crash.

A service that wants people told calls `notifications_queue` inside its transaction:
one ledger row per (person, return, kind, key), created only if missing, so a re-run
queues nothing new. After commit, the `send_notifications` task delivers the rows
(`delivery.py`): one email per person and kind, listing all that person's returns,
each claimed (`queued → sending`) just before it goes and marked `sent` just after the
mail server accepted it, in its own short transaction (with the chase history, for a
reminder: `history.py`). A failed try is retried with back-off by the retry job; a
row left `sending` by a dead worker is sent again; an address the server refuses is
not retried. What failed for good is the team's to see and send again.
"""

from .delivery import (
    Delivery,
    email_message,
    is_refusal,
    notifications_deliver,
    notifications_retry,
    notifications_send,
    render_email,
)
from .history import chase_history_record, offset_words
from .ledger import (
    claimable,
    failed_for_good,
    notification_queue_to_address,
    notification_send_again,
    notifications_queue,
)

__all__ = [
    "Delivery",
    "chase_history_record",
    "claimable",
    "email_message",
    "failed_for_good",
    "is_refusal",
    "notification_queue_to_address",
    "notification_send_again",
    "notifications_deliver",
    "notifications_queue",
    "notifications_retry",
    "notifications_send",
    "offset_words",
    "render_email",
]
