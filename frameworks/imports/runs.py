"""An upload's life as an `ImportRun`: stored, checked by a task, confirmed by the
team, applied by a task. Every step is safe to run twice."""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from core.xlsx import Problem
from core.xlsx.reading import TOO_LARGE, _human_size

from ..models import ImportRun
from .base import Report
from .services import ImportRefused, import_apply, import_check

logger = logging.getLogger(__name__)

NOT_READY = "This import cannot be confirmed: it is {status}"


def _record(run: ImportRun, report: Report) -> None:
    totals = report.totals
    run.kind = report.kind or run.kind
    run.rows = report.rows
    run.created, run.updated, run.unchanged = (
        totals["created"],
        totals["updated"],
        totals["unchanged"],
    )
    run.error_count = report.error_count
    run.warning_count = report.warning_count
    run.report = report.as_dict()


@transaction.atomic
def import_run_start(*, upload: UploadedFile, acting_user) -> ImportRun:
    """Stores the upload through Django's storage and queues its check. A file over
    the size limit is refused here, unread. Called by the team's upload page."""
    run = ImportRun(
        file_name=upload.name[:255], size=upload.size, created_by=acting_user
    )
    limit = settings.SPREADSHEET_MAX_BYTES
    if upload.size > limit:
        report = Report(file_name=run.file_name)
        report.error(
            Problem(
                TOO_LARGE.format(
                    size=_human_size(upload.size), limit=_human_size(limit)
                )
            )
        )
        _record(run, report)
        run.status = ImportRun.Status.REFUSED
        run.checked_at = timezone.now()
        run.save()
        return run
    run.file.save(run.file_name, upload, save=False)
    run.save()
    from ..tasks import check_import

    check_import.delay_on_commit(run_id=run.pk)
    return run


def import_run_check(*, run_id: int) -> ImportRun | None:
    """Checks a stored upload and records the report; writes no reference data.
    Called by the `check_import` task; a repeat after it has run does nothing."""
    run = ImportRun.objects.filter(pk=run_id, status=ImportRun.Status.CHECKING).first()
    if run is None:
        return None
    with run.file.open("rb") as handle:
        report = import_check(file=handle, name=run.file_name)
    _record(run, report)
    run.status = ImportRun.Status.CHECKED if report.ok else ImportRun.Status.REFUSED
    run.checked_at = timezone.now()
    ImportRun.objects.filter(pk=run.pk, status=ImportRun.Status.CHECKING).update(
        **{
            f: getattr(run, f)
            for f in (
                "kind",
                "rows",
                "created",
                "updated",
                "unchanged",
                "error_count",
                "warning_count",
                "report",
                "status",
                "checked_at",
            )
        }
    )
    return run


@transaction.atomic
def import_run_confirm(*, run: ImportRun, acting_user) -> ImportRun:
    """The team's go-ahead for a checked file with no problems: queues the apply."""
    run = ImportRun.objects.select_for_update().get(pk=run.pk)
    if run.status != ImportRun.Status.CHECKED or run.error_count:
        raise ValidationError(NOT_READY.format(status=run.get_status_display().lower()))
    run.status = ImportRun.Status.APPLYING
    run.confirmed_by = acting_user
    run.confirmed_at = timezone.now()
    run.save(update_fields=["status", "confirmed_by", "confirmed_at"])
    from ..tasks import apply_import

    apply_import.delay_on_commit(run_id=run.pk)
    return run


def import_run_apply(*, run_id: int) -> ImportRun | None:
    """Applies a confirmed upload in one transaction, checking it again first (the
    data may have changed since the check); records what it did, or the problems
    that stopped it. Called by the `apply_import` task; holding the run's row lock
    makes a second delivery of the task wait, then do nothing."""
    with transaction.atomic():
        run = (
            ImportRun.objects.select_for_update()
            .filter(pk=run_id, status=ImportRun.Status.APPLYING)
            .first()
        )
        if run is None:
            return None
        try:
            with run.file.open("rb") as handle:
                report = import_apply(
                    file=handle,
                    name=run.file_name,
                    acting_user=run.confirmed_by,
                    expected_kind=run.kind or None,
                )
        except ImportRefused as refused:
            _record(run, refused.report)
            run.status = ImportRun.Status.REFUSED
        else:
            _record(run, report)
            run.status = ImportRun.Status.APPLIED
            run.applied_at = timezone.now()
        run.save()
    return run


def import_run_command(
    *, file, name: str, commit: bool, acting_user=None
) -> tuple[ImportRun, Report]:
    """`manage.py import_reference` (and the demo): checks (and with `commit`,
    applies) a local file in this process and records the run, so the team sees
    imports made from the command line too."""
    data = file.read()
    run = ImportRun(file_name=name[:255], size=len(data), created_by=acting_user)
    try:
        report = (
            import_apply(file=data, name=name, acting_user=acting_user)
            if commit
            else import_check(file=data, name=name)
        )
    except ImportRefused as refused:
        report = refused.report
    _record(run, report)
    now = timezone.now()
    run.checked_at = now
    if report.applied:
        run.status = ImportRun.Status.APPLIED
        run.applied_at = now
        run.confirmed_by = acting_user
        run.confirmed_at = now
        run.confirmed_by = acting_user
        run.confirmed_at = now
    else:
        run.status = ImportRun.Status.CHECKED if report.ok else ImportRun.Status.REFUSED
    run.save()
    return run, report
