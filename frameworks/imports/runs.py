"""An upload's life as an `ImportRun`: stored, checked by a task, confirmed by the
team, applied by a task. Every step is safe to run twice.

The run row is the audit record of every upload (who, when, which file, what the
check found); the file itself is kept only while it may still be applied: a refused
file is deleted as soon as it is refused, a checked one that nobody confirms is
deleted after a day (`import_files_erase_unconfirmed`, daily), and a file of
supplier contacts (personal data) as soon as it is applied. The command's check
without --commit writes nothing at all."""

from __future__ import annotations

import datetime
import logging

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from core.uploads import too_large
from core.xlsx import Problem

from ..models import ImportRun
from .base import Report
from .services import ImportRefused, import_apply, import_check

logger = logging.getLogger(__name__)

NOT_READY = "This import cannot be confirmed: it is {status}"
UNCONFIRMED_FILES_KEPT = datetime.timedelta(days=1)
# Kinds whose files hold personal data: deleted as soon as they are applied.
PERSONAL_DATA_KINDS = {"contacts"}


def _file_delete(run: ImportRun) -> None:
    """Takes the upload out of storage; the run keeps its name, size and report."""
    if run.file and run.file.name:
        run.file.storage.delete(run.file.name)
    run.file = ""


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
        report.error(Problem(too_large(upload.size, limit)))
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
    if run.status == ImportRun.Status.REFUSED:
        _file_delete(run)  # a refused file is not kept (zip bombs included)
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
                "file",
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
            _file_delete(run)
        else:
            _record(run, report)
            run.status = ImportRun.Status.APPLIED
            run.applied_at = timezone.now()
            if run.kind in PERSONAL_DATA_KINDS:
                _file_delete(run)
        run.save()
    return run


@transaction.atomic
def import_files_erase_unconfirmed(*, now: datetime.datetime | None = None) -> int:
    """Deletes the files of uploads checked more than a day ago and never confirmed
    (the run becomes "expired": it can no longer be confirmed), and of any refused or
    failed run that still has one. The runs stay as the record. Safe to run twice,
    or twice at once (rows are locked, done ones skipped). Called daily by the
    `erase_unconfirmed_import_files` task. Returns the number of files deleted."""
    cutoff = (now or timezone.now()) - UNCONFIRMED_FILES_KEPT
    due = (
        ImportRun.objects.select_for_update(skip_locked=True)
        .filter(
            status__in=(
                ImportRun.Status.CHECKED,
                ImportRun.Status.REFUSED,
                ImportRun.Status.FAILED,
            ),
            created_at__lt=cutoff,
        )
        .exclude(file="")
        .order_by("pk")
    )
    deleted = 0
    for run in due:
        _file_delete(run)
        if run.status == ImportRun.Status.CHECKED:
            run.status = ImportRun.Status.EXPIRED
        run.save(update_fields=["file", "status"])
        deleted += 1
    return deleted


def import_run_command(
    *, file, name: str, commit: bool, acting_user=None
) -> tuple[ImportRun | None, Report]:
    """`manage.py import_reference` (and the demo). Without `commit`: checks the
    local file and writes nothing (the printed report, and a log line, are the
    operator's record). With `commit`: applies it when it has no problem, in this
    process, and records the run, so the team sees imports made from the command
    line too."""
    data = file.read()
    if not commit:
        report = import_check(file=data, name=name)
        logger.info(
            "import check of %s: %s, %d rows, %d problem(s); nothing written",
            name,
            report.kind or "not recognised",
            report.rows,
            report.error_count,
        )
        return None, report
    run = ImportRun(file_name=name[:255], size=len(data), created_by=acting_user)
    try:
        report = import_apply(file=data, name=name, acting_user=acting_user)
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
    else:
        run.status = ImportRun.Status.REFUSED
    run.save()
    return run, report
