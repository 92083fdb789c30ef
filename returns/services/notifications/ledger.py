"""The ledger's rows and their moves: queue, claim, sent, failed, skipped, send again.

Each move is its own short transaction, so what the ledger says is what happened:
`queued → sending` just before an email goes (the claim), `sending → sent` just after
the mail server accepted it. A claim carries a fresh token; only the holder of the
token records the outcome, so a slow sender whose row was taken over records nothing.
"""

import datetime
import uuid
from collections.abc import Iterable

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone

from ... import events
from ...models import AnnualReturn, Notification
from ..events import event_record

QUEUED = Notification.Status.QUEUED
SENDING = Notification.Status.SENDING
SENT = Notification.Status.SENT
SKIPPED = Notification.Status.SKIPPED
FAILED = Notification.Status.FAILED

NOT_FAILED = "Only an email that failed can be sent again."


def retry_delays() -> list[datetime.timedelta]:
    """How long to wait after the 1st, 2nd, … failed try (NOTIFICATION_RETRY_SECONDS:
    1, 5 and 30 minutes, 2 and 6 hours); after the last, the row has failed for good."""
    return [datetime.timedelta(seconds=s) for s in settings.NOTIFICATION_RETRY_SECONDS]


def sending_timeout() -> datetime.timedelta:
    """After this long in `sending`, the worker that claimed a row is taken for dead.
    Far longer than one email can take (EMAIL_TIMEOUT bounds each SMTP call)."""
    return datetime.timedelta(seconds=settings.NOTIFICATION_SENDING_TIMEOUT)


def claimable(now: datetime.datetime, *, queued_before=None) -> Q:
    """Rows a sender may take now: queued (with `queued_before`, only those queued
    before it: the retry job leaves fresh rows to the task queued with them), failed
    and due for another try, or left `sending` by a worker that died."""
    queued = Q(status=QUEUED)
    if queued_before is not None:
        queued &= Q(created_at__lt=queued_before)
    return (
        queued
        | Q(status=FAILED, next_attempt_at__lte=now)
        | Q(status=SENDING, claimed_at__lt=now - sending_timeout())
    )


def failed_for_good() -> Q:
    """Rows no retry will send: the team's "emails that failed"."""
    return Q(status=FAILED, next_attempt_at__isnull=True)


def notifications_queue(
    *,
    recipients: Iterable,
    kind: str,
    annual_return: AnnualReturn | None = None,
    key: str = "",
    send: bool = True,
    requested_by=None,
) -> list[int]:
    """Creates the missing ledger rows and, after commit, sends them. Returns the ids
    of the rows still queued (new ones, and old ones never sent). Called inside the
    transaction of the change the email is about, so the email exists if and only
    if the change does."""
    recipients = list({user.pk: user for user in recipients}.values())
    if not recipients:
        return []
    Notification.objects.bulk_create(
        [
            Notification(
                recipient=user,
                annual_return=annual_return,
                kind=kind,
                key=key,
                address=user.email,
                requested_by=requested_by,
            )
            for user in recipients
        ],
        ignore_conflicts=True,
    )
    queued = list(
        Notification.objects.filter(
            recipient__in=recipients,
            annual_return=annual_return,
            kind=kind,
            key=key,
            status=QUEUED,
        ).values_list("pk", flat=True)
    )
    if send and queued:
        send_after_commit(queued)
    return queued


def notification_queue_to_address(
    *, address: str, kind: str, key: str, payload: dict, send: bool = True
) -> int | None:
    """Queues one email to an address that is nobody's login (the team's), saying
    what `payload` holds. The same (address, kind, key) again queues nothing. Returns
    the row's id while it is queued."""
    Notification.objects.bulk_create(
        [Notification(address=address, kind=kind, key=key, payload=payload)],
        ignore_conflicts=True,
    )
    row = Notification.objects.filter(
        recipient__isnull=True, address=address, kind=kind, key=key, status=QUEUED
    ).first()
    if row is None:
        return None
    if send:
        send_after_commit([row.pk])
    return row.pk


def send_after_commit(notification_ids: list[int]) -> None:
    from ...tasks import send_notifications

    send_notifications.delay_on_commit(notification_ids=notification_ids)


def rows_claim(notification_ids: list[int]) -> tuple[str, list[Notification]]:
    """Moves those of `notification_ids` that may be sent now to `sending` with a new
    claim token, and counts the try. Returns the token and the rows won (with what
    rendering needs); rows another sender holds, or already sent, are not won."""
    token = uuid.uuid4().hex
    now = timezone.now()
    with transaction.atomic():
        won = (
            Notification.objects.filter(pk__in=notification_ids)
            .filter(claimable(now))
            .update(
                status=SENDING,
                claimed_at=now,
                claim_token=token,
                attempts=F("attempts") + 1,
            )
        )
    if not won:
        return token, []
    rows = list(
        Notification.objects.filter(claim_token=token, status=SENDING)
        .select_related(
            "recipient",
            "requested_by",
            "annual_return__supplier",
            "annual_return__year",
        )
        .order_by("pk")
    )
    return token, rows


def _held(rows: list[Notification], token: str) -> QuerySet:
    return Notification.objects.filter(
        pk__in=[row.pk for row in rows], claim_token=token, status=SENDING
    )


def rows_mark_sent(rows: list[Notification], *, token: str, address: str) -> list[int]:
    """`sending → sent` for the rows this claim still holds, after the mail server
    accepted their email. Returns their ids. Call inside the transaction that also
    writes what goes with the send (the chase history)."""
    held = list(_held(rows, token).select_for_update().values_list("pk", flat=True))
    if held:
        Notification.objects.filter(pk__in=held).update(
            status=SENT,
            sent_at=timezone.now(),
            address=address,
            next_attempt_at=None,
            refused=False,
            last_error="",
        )
    return held


def rows_mark_failed(
    rows: list[Notification],
    *,
    token: str,
    address: str,
    error: str,
    refused: bool,
) -> None:
    """`sending → failed` after a failed try: with the next try's time while tries
    are left, without it (failed for good, for the team) after the last or when the
    server refused the address."""
    now = timezone.now()
    delays = retry_delays()
    with transaction.atomic():
        for row in rows:
            if refused or row.attempts > len(delays):
                next_attempt_at = None
            else:
                next_attempt_at = now + delays[row.attempts - 1]
            _held([row], token).update(
                status=FAILED,
                failed_at=now,
                next_attempt_at=next_attempt_at,
                refused=refused,
                address=address or row.address,
                last_error=error[:1000],
            )


def rows_mark_skipped(rows: list[Notification], *, token: str, reason: str) -> None:
    """`sending → skipped`: the email is no longer wanted (a reminder for a return
    since submitted, an invitation since accepted or superseded)."""
    _held(rows, token).update(status=SKIPPED, last_error=reason[:1000])


@transaction.atomic
def notification_send_again(*, notification: Notification, acting_user) -> Notification:
    """The team's "Send again" on a failed email: queues it with a fresh set of
    tries and sends it after commit, recording who asked (and an event on its return,
    if it has one). Refuses a row that has not failed. Called by the failed emails
    page."""
    row = Notification.objects.select_for_update().get(pk=notification.pk)
    if row.status != FAILED:
        raise ValidationError(NOT_FAILED)
    now = timezone.now()
    row.status = QUEUED
    row.attempts = 0
    row.next_attempt_at = None
    row.refused = False
    row.resent_by = acting_user
    row.resent_at = now
    row.save(
        update_fields=[
            "status",
            "attempts",
            "next_attempt_at",
            "refused",
            "resent_by",
            "resent_at",
        ]
    )
    if row.annual_return_id:
        event_record(
            annual_return=row.annual_return,
            kind=events.EMAIL_SENT_AGAIN,
            actor=acting_user,
            comment=f"{row.get_kind_display()} email to {row.to_address}",
        )
    send_after_commit([row.pk])
    return row
