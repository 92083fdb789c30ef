"""Thin Celery wrappers over the import services."""

from celery import shared_task

from .imports import runs


@shared_task(acks_late=True)
def check_import(*, run_id: int) -> str | None:
    """Checks an uploaded file; a repeat does nothing."""
    run = runs.import_run_check(run_id=run_id)
    return run.status if run else None


@shared_task(acks_late=True)
def apply_import(*, run_id: int) -> str | None:
    """Applies a confirmed file in one transaction; a repeat does nothing."""
    run = runs.import_run_apply(run_id=run_id)
    return run.status if run else None


@shared_task(acks_late=True)
def erase_unconfirmed_import_files() -> int:
    """Daily: deletes uploads checked a day ago and never confirmed (and any refused
    one left behind); returns how many. Safe to run twice."""
    return runs.import_files_erase_unconfirmed()
