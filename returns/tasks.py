"""Thin Celery wrappers over returns services."""

from celery import shared_task

from . import services


@shared_task(acks_late=True)
def recompute_credits(*, line_ids: list[int] | None = None) -> int:
    """Rewrites drifted delivered credits; safe to run twice. Returns lines fixed."""
    from .models import ReturnLine

    lines = ReturnLine.objects.filter(pk__in=line_ids) if line_ids else None
    return len(services.lines_recompute_credits(lines=lines, fix=True))


@shared_task(acks_late=True)
def send_notifications(*, notification_ids: list[int]) -> int:
    """Sends pending ledger rows; a re-delivery sends nothing twice."""
    return services.notifications_send(notification_ids=notification_ids)


@shared_task(acks_late=True)
def build_year_export(*, export_id: int) -> str:
    """Builds a requested year export; a re-delivery finds it built and stops."""
    from .spreadsheets.year_export import year_export_build

    return year_export_build(export_id=export_id).status
