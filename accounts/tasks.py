"""Thin Celery wrappers over accounts services."""

from celery import shared_task


@shared_task(acks_late=True)
def deliver_invitation(*, notification_id: int) -> bool:
    """Sends one queued invitation email; a re-delivery sends nothing twice."""
    from .services import invitation_deliver

    return invitation_deliver(notification_id=notification_id)


@shared_task(acks_late=True)
def send_invitations_bulk(
    *,
    contact_ids: list[int] | None = None,
    everyone_not_invited: bool = False,
    invited_by_id: int | None = None,
    batch_key: str,
) -> int:
    """Invites many contacts at once; the same batch key again emails nobody twice."""
    from .models import User
    from .services import invitations_send_bulk

    invited_by = (
        User.objects.filter(pk=invited_by_id).first() if invited_by_id else None
    )
    return invitations_send_bulk(
        contact_ids=contact_ids,
        everyone_not_invited=everyone_not_invited,
        invited_by=invited_by,
        batch_key=batch_key,
    )
