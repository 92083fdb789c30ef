"""Which issue runs a dead worker left behind, for the runs page and the resume job."""

import datetime
from collections.abc import Iterable

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from returns.models import IssueRun

# A run that has only just started may not hold its lock yet.
JUST_STARTED = datetime.timedelta(seconds=30)


def issue_runs_stalled(runs: Iterable[IssueRun]) -> set[int]:
    """The ids among `runs` that no worker is running: queued for longer than
    ISSUE_RUN_STALE_AFTER (no worker took it), or running without the row lock every
    live run holds (on PostgreSQL; elsewhere, running for longer than that)."""
    now = timezone.now()
    stale_before = now - datetime.timedelta(seconds=settings.ISSUE_RUN_STALE_AFTER)
    stalled = {
        run.pk
        for run in runs
        if run.status == IssueRun.Status.QUEUED and run.started_at < stale_before
    }
    running = [
        run
        for run in runs
        if run.status == IssueRun.Status.RUNNING and run.started_at < now - JUST_STARTED
    ]
    if not running:
        return stalled
    if connection.vendor != "postgresql":
        return stalled | {run.pk for run in running if run.started_at < stale_before}
    with transaction.atomic():
        # SKIP LOCKED returns only the rows no transaction holds: no live run.
        unheld = IssueRun.objects.select_for_update(skip_locked=True).filter(
            pk__in=[run.pk for run in running], status=IssueRun.Status.RUNNING
        )
        return stalled | set(unheld.values_list("pk", flat=True))
