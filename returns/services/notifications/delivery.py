"""Sending the ledger's rows: one email at a time, each claimed just before it goes
and marked sent just after the mail server accepted it.

A person gets one email per kind listing all their returns (the digest), so the unit
claimed and sent is a person's rows of one kind (an invitation is always alone). A
crash between the claim and the `sent` leaves that one email `sending`; the retry job
sends it again once NOTIFICATION_SENDING_TIMEOUT has passed: at most one repeat per
crash, never a loss.
"""

import datetime
import logging
import smtplib
from collections import defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import transaction
from django.template import TemplateDoesNotExist
from django.template.loader import render_to_string
from django.utils import timezone

from ...figures import CHASED
from ...models import Notification
from .history import chase_history_record
from .ledger import (
    claimable,
    rows_claim,
    rows_mark_failed,
    rows_mark_sent,
    rows_mark_skipped,
)

logger = logging.getLogger(__name__)

Kind = Notification.Kind


@dataclass
class Delivery:
    """What one call sent: emails the mail server accepted, emails that failed, the
    ledger rows sent and the returns they were about."""

    emails: int = 0
    failed: int = 0
    sent_rows: list[Notification] = field(default_factory=list)
    return_ids: set[int] = field(default_factory=set)


class NotWanted(Exception):
    """The email is no longer wanted; its rows are skipped, not sent."""


def render_email(kind: str, context: dict) -> tuple[str, str, str | None]:
    """Subject, text and (if its template exists) HTML of one email."""
    subject = render_to_string(f"emails/{kind}_subject.txt", context).strip()
    text = render_to_string(f"emails/{kind}.txt", context)
    try:
        html = render_to_string(f"emails/{kind}.html", context)
    except TemplateDoesNotExist:  # the HTML part is optional
        html = None
    return " ".join(subject.split()), text, html


def email_message(
    kind: str, context: dict, *, to: str, connection=None
) -> EmailMultiAlternatives:
    subject, text, html = render_email(kind, context)
    message = EmailMultiAlternatives(
        subject=subject, body=text, to=[to], connection=connection
    )
    if html:
        message.attach_alternative(html, "text/html")
    return message


def is_refusal(error: Exception) -> bool:
    """True when the mail server refused the address for good (5xx for every
    recipient): trying again cannot help. Anything else (server down, timeout, 4xx)
    may pass on a later try."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return bool(error.recipients) and all(
            code >= 500 for code, _ in error.recipients.values()
        )
    # Provider backends (django-anymail) say the same with their own class.
    return type(error).__name__.endswith("RecipientsRefused")


def _digest_context(rows: list[Notification]) -> dict:
    returns = [row.annual_return for row in rows if row.annual_return]
    return {
        "recipient": rows[0].recipient,
        "notifications": rows,
        "returns": returns,
        "annual_return": returns[0] if returns else None,
        "base_url": settings.PORTAL_BASE_URL.rstrip("/"),
    }


def _still_wanted(rows: list[Notification]) -> list[Notification]:
    """Drops reminders for returns no longer chased (submitted since they were
    queued): a retry hours later must not chase a return already in."""
    if rows[0].kind != Kind.REMINDER:
        return rows
    return [row for row in rows if row.annual_return.status in CHASED]


def _send_group(rows: list[Notification], *, token: str, connection) -> str:
    """Sends the email of one claimed group and records `sent` (with the chase
    history). Returns the address it went to. Raises what the sending raised."""
    kind = rows[0].kind
    if kind == Kind.INVITATION:
        from accounts.services.invitations import invitation_email

        address = rows[0].recipient.email
        # The invitation's new token is saved with the send: if the send fails, the
        # link sent before keeps working.
        with transaction.atomic():
            message = invitation_email(notification=rows[0], connection=connection)
            if message is None:
                raise NotWanted("superseded, accepted or withdrawn")
            message.send()
    elif kind in (Kind.CONTACTS_CHANGED, Kind.SUPPORT_RAISED):
        address = rows[0].address
        if not address:  # a row with nobody to send to must not read as sent
            raise NotWanted("no address to send to")
        context = {
            **rows[0].payload,
            "subject_prefix": settings.ACCOUNT_EMAIL_SUBJECT_PREFIX,
            "base_url": settings.PORTAL_BASE_URL.rstrip("/"),
        }
        email_message(kind, context, to=address, connection=connection).send()
    else:
        wanted = _still_wanted(rows)
        if len(wanted) < len(rows):
            rows_mark_skipped(
                [row for row in rows if row not in wanted],
                token=token,
                reason="the return is no longer being chased",
            )
        if not wanted:
            raise NotWanted("")
        rows[:] = wanted
        address = rows[0].recipient.email
        email_message(
            kind, _digest_context(rows), to=address, connection=connection
        ).send()
    return address


def _groups(notification_ids: list[int]) -> list[list[int]]:
    """The ids to claim together: a person's (or an address's) rows of one kind;
    an invitation alone. Only rows that may be sent now."""
    groups: dict[tuple, list[int]] = defaultdict(list)
    rows = (
        Notification.objects.filter(pk__in=notification_ids)
        .filter(claimable(timezone.now()))
        .order_by("pk")
        .values_list("pk", "recipient_id", "address", "kind")
    )
    for pk, recipient_id, address, kind in rows:
        if kind == Kind.INVITATION:
            groups[(pk,)].append(pk)
        else:
            who = recipient_id if recipient_id else address
            groups[(who, kind)].append(pk)
    return list(groups.values())


def _open(connection) -> None:
    """Opens the SMTP connection the batch shares (a backend that opens its own
    connection per email closes it after each: one connection per batch is faster)."""
    if getattr(connection, "connection", "not smtp") is None:
        connection.open()


def _close(connection) -> None:
    """Drops a connection a failure may have left half-open, so the next email
    opens a fresh one."""
    try:
        connection.close()
    except Exception:  # noqa: BLE001 - it is being thrown away
        logger.debug("closing the mail connection failed", exc_info=True)
    if hasattr(connection, "connection"):
        connection.connection = None


def notifications_deliver(*, notification_ids: list[int]) -> Delivery:
    """Sends those of `notification_ids` that may go now (queued, due for another
    try, or left `sending` by a dead worker), one email per person and kind, each
    claimed just before and marked sent just after. Called by the `send_notifications`
    task, the retry job, the daily reminders and the team's "remind now"."""
    result = Delivery()
    connection = get_connection()
    try:
        for group in _groups(sorted(set(notification_ids))):
            token, rows = rows_claim(group)
            if not rows:
                continue  # another sender has them, or they went meanwhile
            address = rows[0].address
            try:
                _open(connection)
                address = _send_group(rows, token=token, connection=connection)
            except NotWanted as skipped:
                if str(skipped):
                    rows_mark_skipped(rows, token=token, reason=str(skipped))
                continue
            except Exception as error:  # noqa: BLE001 - recorded on the ledger
                _close(connection)
                refused = is_refusal(error)
                logger.warning(
                    "email %s (rows %s) to %s failed%s: %s",
                    rows[0].kind,
                    [row.pk for row in rows],
                    address,
                    ", the address was refused" if refused else "",
                    error,
                )
                rows_mark_failed(
                    rows,
                    token=token,
                    address=address,
                    error=f"{type(error).__name__}: {error}",
                    refused=refused,
                )
                result.failed += 1
                continue
            with transaction.atomic():
                held = set(rows_mark_sent(rows, token=token, address=address))
                sent = [row for row in rows if row.pk in held]
                chase_history_record(sent, address=address)
            result.emails += 1
            result.sent_rows += sent
            result.return_ids.update(
                row.annual_return_id for row in sent if row.annual_return_id
            )
    finally:
        _close(connection)
    return result


def notifications_send(*, notification_ids: list[int]) -> int:
    """Sends the rows among `notification_ids` that may go now; returns the number
    of emails the mail server accepted. Called by the `send_notifications` task."""
    return notifications_deliver(notification_ids=notification_ids).emails


def notifications_retry(*, limit: int = 5000) -> Delivery:
    """The retry job (every few minutes): sends every row that may go now and was
    not just queued (a fresh row is its own task's): failed rows whose next try is
    due, rows a dead worker left `sending`, and queued rows whose task was lost.
    Safe to run twice, or twice at once: each email is claimed before it goes."""
    now = timezone.now()
    grace = now - datetime.timedelta(seconds=settings.NOTIFICATION_QUEUED_GRACE)
    ids = list(
        Notification.objects.filter(claimable(now, queued_before=grace))
        .order_by("pk")
        .values_list("pk", flat=True)[:limit]
    )
    if not ids:
        return Delivery()
    return notifications_deliver(notification_ids=ids)
