"""The team's decision (mark a year ready, or withdraw that) and the daily job."""

from __future__ import annotations

import datetime
import logging

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from ... import events
from ...models import IssueRun, ReportingYear, YearEvent
from .issue import returns_issue

logger = logging.getLogger(__name__)

ALREADY_ISSUED = "Reporting year {label} has already been issued"
NOT_READY = "Reporting year {label} is not marked ready"
NOT_READY_TO_ISSUE = "Mark the year ready before issuing it"


@transaction.atomic
def issue_run_start(
    *,
    year: ReportingYear,
    acting_user,
    dry_run: bool,
    confirmed: bool = False,
    today: datetime.date | None = None,
) -> IssueRun:
    """Queues a dry run, or the team's "issue now", as a task and returns its run.
    Issuing now needs the year marked ready (or already issued: a re-issue); before
    the year has ended, or with live contracts missing their last quarter's
    valuation, it refuses (ConfirmationNeeded) until the team confirms, and records
    who confirmed what. Called by the year's page."""
    from ...selectors.guard_rails import issue_now_consequence
    from ...tasks import issue_year
    from ..confirmation import require_confirmation

    if not dry_run:
        if year.ready_at is None and year.issued_at is None:
            raise ValidationError(NOT_READY_TO_ISSUE)
        consequence = issue_now_consequence(
            year=year, today=today or timezone.localdate()
        )
        note = require_confirmation(consequence, confirmed=confirmed)
        if note:
            YearEvent.objects.create(
                year=year,
                kind=events.ISSUE_CONFIRMED,
                actor=acting_user,
                at=timezone.now(),
                comment=note,
            )
    run = IssueRun.objects.create(year=year, started_by=acting_user, dry_run=dry_run)
    issue_year.delay_on_commit(run_id=run.pk)
    return run


@transaction.atomic
def year_mark_ready(*, year: ReportingYear, acting_user) -> ReportingYear:
    """Records that the team has checked the dry run: the daily job may now issue
    the year on its issue date (and the team may issue it at once)."""
    year = ReportingYear.objects.select_for_update().get(pk=year.pk)
    if year.issued_at is not None:
        raise ValidationError(ALREADY_ISSUED.format(label=year.label))
    if year.ready_at is None:
        year.ready_at = timezone.now()
        year.ready_by = acting_user
        year._change_reason = "Marked ready to issue"
        year.save()
    return year


@transaction.atomic
def year_withdraw_ready(*, year: ReportingYear, acting_user) -> ReportingYear:
    """Takes back "ready" before the year is issued, so the daily job leaves it."""
    year = ReportingYear.objects.select_for_update().get(pk=year.pk)
    if year.issued_at is not None:
        raise ValidationError(ALREADY_ISSUED.format(label=year.label))
    if year.ready_at is None:
        raise ValidationError(NOT_READY.format(label=year.label))
    year.ready_at = None
    year.ready_by = None
    year._change_reason = f"Ready withdrawn by {acting_user}"
    year.save()
    return year


def years_due(*, today: datetime.date | None = None):
    """Years ready, not yet issued, whose issue date has come (or passed: a beat
    that was down on the day catches up the next)."""
    today = today or timezone.localdate()
    return ReportingYear.objects.filter(
        ready_at__isnull=False, issued_at__isnull=True, issue_on__lte=today
    ).order_by("starts_on")


def years_issue_due(*, today: datetime.date | None = None) -> list[IssueRun]:
    """The daily job: issues every year that is due. Safe to run twice, or twice at
    once (each issue locks its year and a second finds it issued). Called by the
    `issue_ready_years` task, which beat runs at 06:30 London."""
    runs = []
    for year in list(years_due(today=today)):
        try:
            run = returns_issue(year=year, unless_issued=True)
        except Exception:  # recorded as a failed IssueRun; the other years go on
            logger.exception("issuing %s failed", year.label)
            continue
        if run is not None:  # None: another run issued it first
            logger.info("issued %s: %s", year.label, run.summary.get("new_returns"))
            runs.append(run)
    return runs
