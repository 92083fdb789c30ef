"""Celery tasks of the API app: thin wrappers over services."""

from celery import shared_task

from .extracts import extracts_write


@shared_task(acks_late=True)
def write_member_extracts() -> int:
    """Monthly (see CELERY_BEAT_SCHEDULE): members' extracts; safe to run twice."""
    return extracts_write()
