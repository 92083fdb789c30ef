"""Submitting a return: every rule checked, every reason given, a snapshot kept.

A submission needs every non-excluded line complete, a reason and a plan on each line
below target, an explanation of every flag on its lines (issue 23), and a declaration
by a named person that each line's figures relate to that contract and that year
only ("entered by" is recorded when the team submits for a supplier). It keeps `first_submitted_at` through resubmissions (on
time or late is decided by the first), writes a `submitted` event whose snapshot holds
every line's figures, and queues a receipt to each active contact of the supplier
through the Notification ledger.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.permissions import is_team
from core.numbers import round_credits
from returns import events
from returns.figures import big_change_count
from returns.selectors import completeness
from returns.selectors.flags import unexplained_flags

from ..models import AnnualReturn, Notification, ReturnEvent, ReturnLine
from .double_counting import double_counting_refresh
from .events import event_record
from .lines import line_figures, return_check_editable
from .notifications import notifications_queue
from .summary import summary_refresh_return

NO_DECLARATION = "Enter the full name of the person making the declaration"
NO_OWN_FIGURES_DECLARATION = (
    "Confirm that the figures of each contract relate to that contract and that "
    "year only"
)
UNEXPLAINED_FLAG = "explain this before submitting: {message}"
NOT_READY = "You cannot submit yet: {count} of the contracts need more information"


class ReturnNotReady(ValidationError):
    """Submission refused. `line_problems` lists (line, [messages]) for each line
    that stops it, in the task list's order; `messages` holds every reason."""

    def __init__(self, *, errors: dict[str, list[str]], line_problems):
        super().__init__(errors)
        self.errors = errors
        self.line_problems = line_problems


def deadline_end(day: datetime.date) -> datetime.datetime:
    """The end of a deadline day in London, as an aware datetime."""
    return timezone.make_aware(
        datetime.datetime.combine(day, datetime.time.max),
        timezone.get_default_timezone(),
    )


def submitted_on_time(annual_return: AnnualReturn) -> bool | None:
    """On time when first submitted on or before the effective deadline (London);
    None before any submission."""
    if annual_return.first_submitted_at is None:
        return None
    submitted_on = timezone.localdate(annual_return.first_submitted_at)
    return submitted_on <= annual_return.effective_deadline


def return_snapshot(annual_return: AnnualReturn) -> dict:
    """Every line's figures and the return's totals, as JSON-ready data."""
    lines = (
        ReturnLine.objects.filter(annual_return=annual_return)
        .select_related("contract", "updated_by")
        .prefetch_related("entries__measure")
        .order_by("contract__reference")
    )
    snapshot_lines = []
    target = delivered = round_credits(0)
    for line in lines:
        figures = line_figures(line, prefetched=True)
        figures["excluded"] = line.is_excluded
        snapshot_lines.append(figures)
        if not line.is_excluded:
            target += line.target_credits
            delivered += line.delivered_credits
    return {
        "reference": annual_return.reference,
        "lines": snapshot_lines,
        "target_credits": str(round_credits(target)),
        "delivered_credits": str(round_credits(delivered)),
    }


def return_readiness(
    annual_return: AnnualReturn, *, today: datetime.date | None = None
) -> list[tuple[ReturnLine, list[str]]]:
    """(line, problems) for every line that stops a submission, in order. A flag
    without an explanation is named by its own words. Two queries."""
    today = today or timezone.localdate()
    flags: dict[int, list[str]] = {}
    for flag in unexplained_flags(annual_return):
        flags.setdefault(flag.line_id, []).append(
            UNEXPLAINED_FLAG.format(message=flag.message)
        )
    found = []
    for line in completeness.lines_for_task_list(annual_return):
        problems = completeness.line_problems(line, today=today)
        if line.pk in flags:
            generic = completeness.unexplained_problem(line.unexplained_flag_count)
            problems = [p for p in problems if p != generic] + flags[line.pk]
        if problems:
            found.append((line, problems))
    return found


def return_submit(
    *,
    annual_return: AnnualReturn,
    user,
    declared_by_name: str,
    declared_own_figures: bool,
    entered_by=None,
    today: datetime.date | None = None,
) -> AnnualReturn:
    """Submits a return for review. Raises ReturnNotEditable (already submitted,
    approved, not required) or ReturnNotReady (with every reason, changing
    nothing). `declared_own_figures` is the declaration that the figures of each
    line relate to that contract and that year only (issue 23): refused without it,
    recorded with who and when in the submission's event. When a team member
    submits, `entered_by` defaults to them. Called by the supplier's check-answers
    page and by the team acting for a supplier."""
    # Double counting is looked for across the whole return once more (issue 23),
    # in its own transaction: a flag raised now must stay for the supplier to
    # explain even when this submission is refused for it (flags are derived from
    # what the supplier saved, not their input here).
    with transaction.atomic():
        locked = AnnualReturn.objects.select_for_update(of=("self",)).select_related(
            "year"
        )
        current = locked.get(pk=annual_return.pk)
        if current.is_editable:
            double_counting_refresh(annual_return=current, user=user)
    return _submit(
        annual_return=annual_return,
        user=user,
        declared_by_name=declared_by_name,
        declared_own_figures=declared_own_figures,
        entered_by=entered_by,
        today=today,
    )


@transaction.atomic
def _submit(
    *,
    annual_return: AnnualReturn,
    user,
    declared_by_name: str,
    declared_own_figures: bool,
    entered_by,
    today: datetime.date | None,
) -> AnnualReturn:
    annual_return = (
        AnnualReturn.objects.select_for_update()
        .select_related("year", "supplier")
        .get(pk=annual_return.pk)
    )
    return_check_editable(annual_return)
    errors: dict[str, list[str]] = {}
    declared_by_name = " ".join((declared_by_name or "").split())
    if not declared_by_name:
        errors["declared_by_name"] = [NO_DECLARATION]
    if declared_own_figures is not True:
        errors["declared_own_figures"] = [NO_OWN_FIGURES_DECLARATION]
    line_problems = return_readiness(annual_return, today=today)
    if line_problems:
        errors["lines"] = [
            f"{line.contract.reference}: {message}"
            for line, problems in line_problems
            for message in problems
        ]
    if errors:
        raise ReturnNotReady(errors=errors, line_problems=line_problems)

    if entered_by is None and is_team(user):
        entered_by = user
    now = timezone.now()
    previous_submissions = ReturnEvent.objects.filter(
        annual_return=annual_return, kind=events.SUBMITTED
    ).count()
    annual_return.status = AnnualReturn.Status.SUBMITTED
    annual_return.submitted_at = now
    if annual_return.first_submitted_at is None:
        annual_return.first_submitted_at = now
    annual_return.submitted_by = user
    annual_return.declared_by_name = declared_by_name
    annual_return.entered_by = entered_by
    annual_return.big_changes = big_change_count(annual_return=annual_return)
    annual_return._history_user = user
    annual_return.save(
        update_fields=[
            "status",
            "submitted_at",
            "first_submitted_at",
            "submitted_by",
            "declared_by_name",
            "entered_by",
            "big_changes",
        ]
    )
    summary_refresh_return(annual_return_id=annual_return.pk)
    snapshot = return_snapshot(annual_return)
    snapshot.update(
        {
            "submission": previous_submissions + 1,
            "declared_by_name": declared_by_name,
            # The declaration of issue 23, with who made it (the signed-in person,
            # for the named one) and when.
            "declaration": {
                "own_contract_and_year_only": True,
                "by": user.pk,
                "by_name": declared_by_name,
                "at": now.isoformat(),
            },
            "entered_by": entered_by.pk if entered_by else None,
            "on_time": submitted_on_time(annual_return),
            "deadline": annual_return.effective_deadline.isoformat(),
        }
    )
    event_record(
        annual_return=annual_return,
        kind=events.SUBMITTED,
        actor=user,
        comment=f"Declared by {declared_by_name}"
        + (f", entered by {entered_by}" if entered_by else ""),
        snapshot=snapshot,
    )
    contacts = [
        contact.user
        for contact in annual_return.supplier.contacts.filter(
            is_active=True, user__is_active=True
        ).select_related("user")
    ]
    notifications_queue(
        recipients=contacts,
        kind=Notification.Kind.RECEIPT,
        annual_return=annual_return,
        key=f"submission:{previous_submissions + 1}",
    )
    return annual_return
