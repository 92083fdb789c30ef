"""Email through the `Notification` ledger: every email is at most once.

A service that wants people told calls `notifications_queue` inside its transaction:
one ledger row per (person, return, kind, key), created only if missing, so a re-run
or a retry queues nothing new. After commit, `notifications_send` claims each pending
row by moving it to `sent` before the email goes (a crash after the claim loses an
email rather than sending it twice) and sends one email per person and kind, listing
all that person's returns in it.
"""

import logging
from collections import defaultdict
from collections.abc import Iterable

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template import TemplateDoesNotExist
from django.template.loader import render_to_string
from django.utils import timezone

from ..models import AnnualReturn, Notification

logger = logging.getLogger(__name__)


def notifications_queue(
    *,
    recipients: Iterable,
    kind: str,
    annual_return: AnnualReturn | None = None,
    key: str = "",
    send: bool = True,
) -> list[int]:
    """Creates the missing ledger rows and, after commit, sends them. Returns the ids
    of the rows that are still pending (new ones, and old ones never sent)."""
    recipients = list({user.pk: user for user in recipients}.values())
    if not recipients:
        return []
    Notification.objects.bulk_create(
        [
            Notification(
                recipient=user, annual_return=annual_return, kind=kind, key=key
            )
            for user in recipients
        ],
        ignore_conflicts=True,
    )
    pending = list(
        Notification.objects.filter(
            recipient__in=recipients,
            annual_return=annual_return,
            kind=kind,
            key=key,
            status=Notification.Status.PENDING,
        ).values_list("pk", flat=True)
    )
    if send and pending:
        from ..tasks import send_notifications

        send_notifications.delay_on_commit(notification_ids=pending)
    return pending


def _claim(notification_ids: list[int]) -> list[Notification]:
    claimed = []
    now = timezone.now()
    for pk in notification_ids:
        with transaction.atomic():
            won = Notification.objects.filter(
                pk=pk, status=Notification.Status.PENDING
            ).update(status=Notification.Status.SENT, sent_at=now)
        if won:
            claimed.append(pk)
    return list(
        Notification.objects.filter(pk__in=claimed).select_related(
            "recipient", "annual_return__supplier", "annual_return__year"
        )
    )


def render_email(kind: str, context: dict) -> tuple[str, str, str | None]:
    """Subject, text and (if its template exists) HTML of one email."""
    subject = render_to_string(f"emails/{kind}_subject.txt", context).strip()
    text = render_to_string(f"emails/{kind}.txt", context)
    try:
        html = render_to_string(f"emails/{kind}.html", context)
    except TemplateDoesNotExist:  # the HTML part is optional
        html = None
    return " ".join(subject.split()), text, html


def notifications_send(*, notification_ids: list[int]) -> int:
    """Sends the pending rows among `notification_ids`, one email per person and
    kind. Returns the number of emails sent. Called by the `send_notifications` task."""
    return notifications_deliver(notification_ids=notification_ids)[0]


def notifications_deliver(
    *, notification_ids: list[int]
) -> tuple[int, list[Notification]]:
    """`notifications_send`, also returning the rows this call claimed and sent (not
    those that failed), for callers that record what went (the chase history)."""
    rows = _claim(sorted(set(notification_ids)))
    delivered: list[Notification] = []
    groups: dict[tuple[int, str], list[Notification]] = defaultdict(list)
    for row in rows:
        groups[(row.recipient_id, row.kind)].append(row)
    sent = 0
    for (_, kind), group in groups.items():
        recipient = group[0].recipient
        returns = [row.annual_return for row in group if row.annual_return]
        context = {
            "recipient": recipient,
            "notifications": group,
            "returns": returns,
            "annual_return": returns[0] if returns else None,
            "base_url": settings.PORTAL_BASE_URL.rstrip("/"),
        }
        try:
            subject, text, html = render_email(kind, context)
            message = EmailMultiAlternatives(
                subject=subject, body=text, to=[recipient.email]
            )
            if html:
                message.attach_alternative(html, "text/html")
            message.send()
            sent += 1
            delivered += group
        except Exception as error:  # noqa: BLE001 - recorded, never retried
            logger.exception("email %s to %s failed", kind, recipient.pk)
            Notification.objects.filter(pk__in=[row.pk for row in group]).update(
                status=Notification.Status.FAILED, error=str(error)[:1000]
            )
    return sent, delivered


def notification_claim(*, notification_id: int) -> Notification | None:
    """Moves one pending row to `sent` before its email goes; returns it if this
    caller won the row, None if it was already claimed (so it is never sent twice).
    For services that send their own kind of email (invitations carry a fresh
    token that no template context could hold)."""
    with transaction.atomic():
        won = Notification.objects.filter(
            pk=notification_id, status=Notification.Status.PENDING
        ).update(status=Notification.Status.SENT, sent_at=timezone.now())
    if not won:
        return None
    return Notification.objects.select_related("recipient").get(pk=notification_id)


def notification_fail(*, notification_id: int, error: str) -> None:
    """Records that a claimed row's email could not be sent (it is not retried)."""
    Notification.objects.filter(pk=notification_id).update(
        status=Notification.Status.FAILED, error=error[:1000]
    )


def notification_skip(*, notification_id: int, reason: str = "") -> None:
    """Records that a claimed row's email was deliberately not sent."""
    Notification.objects.filter(pk=notification_id).update(
        status=Notification.Status.SKIPPED, error=reason[:1000]
    )
