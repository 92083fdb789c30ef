"""Celery tasks of the API app: thin wrappers over services."""

from celery import shared_task

from .extracts import extracts_write
from .services import token_uses_prune


@shared_task(acks_late=True)
def write_member_extracts() -> int:
    """Monthly (see CELERY_BEAT_SCHEDULE): members' extracts; safe to run twice."""
    return extracts_write()


@shared_task(acks_late=True)
def prune_token_uses() -> int:
    """Daily (see CELERY_BEAT_SCHEDULE): old token use records; safe to run twice."""
    return token_uses_prune()
