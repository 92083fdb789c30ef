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
def erase_expired_evidence() -> int:
    """Monthly: erases evidence EVIDENCE_RETENTION_YEARS after its contract ended.
    Safe to run twice; returns the number of files erased."""
    from .services.evidence import evidence_erase_expired

    return evidence_erase_expired()


@shared_task(acks_late=True)
def issue_ready_years() -> int:
    """The daily job (beat, 06:30 London): issues every year that is ready and whose
    issue date has come. Safe to run twice. Returns the number of years issued."""
    return len(services.years_issue_due())


@shared_task(acks_late=True)
def issue_year(*, run_id: int) -> str:
    """Runs a queued `IssueRun` (the team's "issue now" or "dry run" button), or one
    left running by a dead worker. A re-delivered task finds the run finished (or
    held by a live worker) and does nothing."""
    from .models import IssueRun
    from .services.issuing.runs import issue_run_start

    run = issue_run_start(run_id=run_id)
    if run is None:
        return IssueRun.objects.get(pk=run_id).status
    run = services.returns_issue(
        year=run.year, dry_run=run.dry_run, started_by=run.started_by, run=run
    )
    return run.status


@shared_task(acks_late=True)
def resume_issue_runs() -> list[int]:
    """Every 5 minutes: queues again the issue runs a dead worker left queued or
    running. Safe to run twice. Returns the runs queued."""
    from .services.issuing.runs import issue_runs_resume

    return issue_runs_resume()


@shared_task(acks_late=True)
def retry_notifications() -> int:
    """Every 2 minutes: sends the emails due another try, left `sending` by a dead
    worker, or whose task was lost. Safe to run twice, or twice at once. Returns
    the number of emails sent."""
    return services.notifications_retry().emails


@shared_task(acks_late=True)
def send_reminders(*, today: str | None = None) -> dict[str, int]:
    """The daily automatic reminders (06:30 London, see CELERY_BEAT_SCHEDULE); a
    re-run or re-delivery sends nothing twice. `today` (ISO date) is for tests."""
    import datetime

    from .services.reminders import reminders_send

    day = datetime.date.fromisoformat(today) if today else None
    return reminders_send(today=day)


@shared_task(acks_late=True)
def build_year_export(*, export_id: int) -> str:
    """Builds a requested year export; a re-delivery finds it built and stops."""
    from .spreadsheets.year_export import year_export_build

    return year_export_build(export_id=export_id).status


@shared_task(acks_late=True)
def send_member_notices() -> dict[str, int]:
    """Weekly (Monday 07:15 London, see CELERY_BEAT_SCHEDULE): members' viewers are
    told of approved returns on their contracts and contracts at risk. Safe to run
    twice, or twice at once: the ledger sends nothing twice."""
    from .services.notifications.members import member_notices_send

    return member_notices_send()
