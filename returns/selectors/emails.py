"""Reads of the notification ledger for the team: the emails that failed for good
(their count is the desk's), the ones waiting for another try, and addresses the
mail server refused (shown as bouncing wherever the team sees a supplier's
contacts)."""

from django.db.models import Exists, OuterRef, QuerySet

from returns.models import Notification
from returns.services.notifications import failed_for_good

FAILED = Notification.Status.FAILED


def failed_emails() -> QuerySet[Notification]:
    """Emails no retry will send (failed after the last try, or refused), newest
    failure first, with the person, the return and its supplier."""
    return (
        Notification.objects.filter(failed_for_good())
        .select_related("recipient", "annual_return__supplier", "annual_return__year")
        .order_by("-failed_at", "-pk")
    )


def failed_email_count() -> int:
    """How many emails failed for good: the team desk's "emails that failed"."""
    return Notification.objects.filter(failed_for_good()).count()


def emails_awaiting_retry_count() -> int:
    """Emails that failed and will be tried again (not yet the team's to act on)."""
    return Notification.objects.filter(
        status=FAILED, next_attempt_at__isnull=False
    ).count()


def bouncing(user_ref: str = "user") -> Exists:
    """An annotation: the person's current address was refused by the mail server,
    and nothing has been sent to it since. `user_ref` names the user from the
    annotated model ("user" on a contact, "pk" on a user)."""
    sent_since = Notification.objects.filter(
        recipient=OuterRef("recipient"),
        address=OuterRef("address"),
        status=Notification.Status.SENT,
        sent_at__gt=OuterRef("failed_at"),
    )
    return Exists(
        Notification.objects.filter(
            recipient=OuterRef(user_ref),
            address=OuterRef(f"{user_ref}__email" if user_ref != "pk" else "email"),
            status=FAILED,
            refused=True,
        ).exclude(Exists(sent_since))
    )
