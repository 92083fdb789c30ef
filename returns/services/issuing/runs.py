"""Issue runs and dead workers: starting a queued run, taking over one whose worker
died, and the resume job that restarts runs left queued or running.

The guard is the run's row lock: `returns_issue` holds it for its whole transaction,
so a run whose row is not locked is not running anywhere (PostgreSQL drops a dead
connection's locks). Issuing is idempotent (unique constraints under the year's
lock), so starting a run again after a crash issues nothing twice.
"""

import logging

from django.db import transaction
from django.utils import timezone

from ...models import IssueRun
from ...selectors.runs import issue_runs_stalled

logger = logging.getLogger(__name__)

UNFINISHED = (IssueRun.Status.QUEUED, IssueRun.Status.RUNNING)


def issue_run_start(*, run_id: int) -> IssueRun | None:
    """Marks the run `running`, with the time it started, in a transaction of its
    own (so the runs page shows it running while it works), and returns it to be
    run. A run left `running` by a dead worker (its row not locked) is taken over.
    Returns None for a run finished, or held by a live worker. Called by the
    `issue_year` task."""
    with transaction.atomic():
        run = (
            IssueRun.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("year", "started_by")
            .filter(pk=run_id, status__in=UNFINISHED)
            .first()
        )
        if run is None:
            return None
        if run.status == IssueRun.Status.RUNNING:
            logger.warning("issue run %s: its worker stopped; running it again", run.pk)
        run.status = IssueRun.Status.RUNNING
        run.started_at = timezone.now()
        run.save(update_fields=["status", "started_at"])
    return run


def issue_runs_resume() -> list[int]:
    """The resume job (every 5 minutes): queues again every run left queued or
    running by a dead worker (`issue_runs_stalled`). A run queued twice runs once:
    `issue_run_start` and the run's lock see to it. Returns the runs queued."""
    from ...tasks import issue_year

    unfinished = list(IssueRun.objects.filter(status__in=UNFINISHED))
    stalled = sorted(issue_runs_stalled(unfinished))
    for run_id in stalled:
        issue_year.delay(run_id=run_id)
    return stalled
