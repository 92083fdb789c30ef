"""Recording who did what to a return, in the same transaction as the change."""

from django.utils import timezone

from ..models import AnnualReturn, ReturnEvent


def event_record(
    *,
    annual_return: AnnualReturn,
    kind: str,
    actor=None,
    comment: str = "",
    snapshot: dict | None = None,
) -> ReturnEvent:
    """Writes one event. Called by every service that changes a return's state or
    acts on it for the team."""
    return ReturnEvent.objects.create(
        annual_return=annual_return,
        kind=kind,
        actor=actor,
        at=timezone.now(),
        comment=comment,
        snapshot=snapshot or {},
    )
