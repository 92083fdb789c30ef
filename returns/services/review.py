"""The team's review of a submitted return: approve, send back for amendment, reopen
an approved return (administrators only), exclude or include a line.

Every function locks the return (`select_for_update`) before it checks its state, so
two team members acting at once cannot both approve, or approve what the other sent
back. Each writes a `ReturnEvent` with who and when in the same transaction, and the
emails go through the Notification ledger (at most once).

Sending back stores the reason on the return (`returned_reason`, shown at the top of
the supplier's return) and in the event's comment; comments on single lines go in
the event's snapshot as ``{"line_comments": {"<line id>": "text"}}``:
`returns.selectors.review.line_comments` reads them back for the supplier's task list
("there is a problem" on those lines).
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.permissions import is_administrator, is_team
from core import limits

from .. import events
from ..models import AnnualReturn, Notification, ReturnEvent, ReturnLine
from ..selectors.guard_rails import approve_consequence
from .confirmation import require_confirmation
from .double_counting import double_counting_refresh
from .events import event_record
from .notifications import notifications_queue
from .summary import summary_refresh, summary_refresh_return

REASON_REQUIRED = "Enter the reason the supplier will see"
EXCLUDE_REASON_REQUIRED = "Enter the reason for excluding this contract"
INCLUDE_REASON_REQUIRED = "Enter the reason for including this contract again"
NOT_SUBMITTED = (
    "Return {reference} is {status}: only a submitted return can be {action}"
)
NOT_APPROVED = "Return {reference} is {status}: only an approved return can be reopened"
LINE_NOT_ON_RETURN = "Line {line_id} is not on return {reference}"
ALREADY_EXCLUDED = "Contract {contract} is already excluded"
NOT_EXCLUDED = "Contract {contract} is not excluded"
APPROVED_LOCKED = (
    "Return {reference} is approved and locked: an administrator must reopen it first"
)
NOT_TEAM = "Only the social value team can review returns"
NOT_ADMINISTRATOR = "Only an administrator can reopen an approved return"


class ReviewRefused(ValidationError):
    """The return or line is not in a state that allows this action."""


def _clean(text: str | None) -> str:
    return (text or "").strip()


def _lock(annual_return: AnnualReturn) -> AnnualReturn:
    return (
        AnnualReturn.objects.select_for_update()
        .select_related("supplier", "year")
        .get(pk=annual_return.pk)
    )


def _contacts(annual_return: AnnualReturn) -> list:
    return [
        contact.user
        for contact in annual_return.supplier.contacts.filter(
            is_active=True, user__is_active=True
        ).select_related("user")
    ]


def _count(annual_return: AnnualReturn, *kinds: str) -> int:
    return ReturnEvent.objects.filter(
        annual_return=annual_return, kind__in=kinds
    ).count()


def _state_error(message: str, annual_return: AnnualReturn, **extra) -> ReviewRefused:
    return ReviewRefused(
        message.format(
            reference=annual_return.reference,
            status=annual_return.get_status_display().lower(),
            **extra,
        ),
        code="state",
    )


def _clean_line_comments(
    annual_return: AnnualReturn, line_comments: dict | None
) -> dict[str, str]:
    """{"<line id>": comment} for the non-blank comments on this return's lines."""
    comments = {int(k): _clean(v) for k, v in (line_comments or {}).items()}
    comments = {k: v for k, v in comments.items() if v}
    known = set(
        ReturnLine.objects.filter(
            annual_return=annual_return, pk__in=list(comments)
        ).values_list("pk", flat=True)
    )
    for line_id in comments:
        if line_id not in known:
            raise ReviewRefused(
                LINE_NOT_ON_RETURN.format(
                    line_id=line_id, reference=annual_return.reference
                ),
                code="line",
            )
    return {str(k): v for k, v in sorted(comments.items())}


@transaction.atomic
def return_approve(
    *, annual_return: AnnualReturn, user, comment: str = "", confirmed: bool = False
) -> AnnualReturn:
    """submitted → approved: locks the return (the supplier can no longer change it),
    records who approved it and when, and emails the supplier's active contacts.
    With a query still open on one of its lines it refuses (ConfirmationNeeded)
    until confirmed; the confirmation is recorded with the event. Called by the
    team's review page."""
    if not is_team(user):
        raise PermissionDenied(NOT_TEAM)
    limits.require_length(
        comment, label="The note for the record", limit=limits.NOTE, field="comment"
    )
    annual_return = _lock(annual_return)
    if annual_return.status != AnnualReturn.Status.SUBMITTED:
        raise _state_error(NOT_SUBMITTED, annual_return, action="approved")
    note = require_confirmation(
        approve_consequence(annual_return=annual_return), confirmed=confirmed
    )
    approvals = _count(annual_return, events.APPROVED)
    annual_return.status = AnnualReturn.Status.APPROVED
    annual_return.approved_at = timezone.now()
    annual_return.approved_by = user
    annual_return.returned_reason = ""
    annual_return._history_user = user
    annual_return.save(
        update_fields=["status", "approved_at", "approved_by", "returned_reason"]
    )
    summary_refresh_return(annual_return_id=annual_return.pk)
    event_record(
        annual_return=annual_return,
        kind=events.APPROVED,
        actor=user,
        comment="\n".join(part for part in (_clean(comment), note) if part),
    )
    notifications_queue(
        recipients=_contacts(annual_return),
        kind=Notification.Kind.APPROVED,
        annual_return=annual_return,
        key=f"approval:{approvals + 1}",
    )
    return annual_return


def _send_back(
    *,
    annual_return: AnnualReturn,
    user,
    reason: str,
    line_comments: dict | None,
    kind: str,
) -> AnnualReturn:
    reason = _clean(reason)
    if not reason:
        raise ReviewRefused({"reason": [REASON_REQUIRED]}, code="required")
    limits.require_length(
        reason, label="The reason", limit=limits.MESSAGE, field="reason"
    )
    comments = _clean_line_comments(annual_return, line_comments)
    for text in comments.values():
        limits.require_length(text, label="A comment", limit=limits.NOTE)
    previous = _count(annual_return, events.RETURNED, events.REOPENED)
    was = annual_return.status
    annual_return.status = AnnualReturn.Status.RETURNED
    annual_return.returned_reason = reason
    fields = ["status", "returned_reason"]
    if was == AnnualReturn.Status.APPROVED:
        annual_return.approved_at = None
        annual_return.approved_by = None
        fields += ["approved_at", "approved_by"]
    annual_return._history_user = user
    annual_return.save(update_fields=fields)
    summary_refresh_return(annual_return_id=annual_return.pk)
    event_record(
        annual_return=annual_return,
        kind=kind,
        actor=user,
        comment=reason,
        snapshot={"from_status": was, "line_comments": comments},
    )
    notifications_queue(
        recipients=_contacts(annual_return),
        kind=Notification.Kind.RETURNED,
        annual_return=annual_return,
        key=f"returned:{previous + 1}",
    )
    return annual_return


@transaction.atomic
def return_send_back(
    *,
    annual_return: AnnualReturn,
    user,
    reason: str,
    line_comments: dict[int, str] | None = None,
) -> AnnualReturn:
    """submitted → returned (with the supplier for amendment): the reason is required
    and shown at the top of the return; `line_comments` ({line id: text}) mark those
    lines "there is a problem" on the supplier's task list. Emails the contacts.
    Called by the team's review page and the re-issue list."""
    if not is_team(user):
        raise PermissionDenied(NOT_TEAM)
    annual_return = _lock(annual_return)
    if annual_return.status != AnnualReturn.Status.SUBMITTED:
        raise _state_error(NOT_SUBMITTED, annual_return, action="sent back")
    return _send_back(
        annual_return=annual_return,
        user=user,
        reason=reason,
        line_comments=line_comments,
        kind=events.RETURNED,
    )


@transaction.atomic
def return_reopen(
    *,
    annual_return: AnnualReturn,
    user,
    reason: str,
    line_comments: dict[int, str] | None = None,
) -> AnnualReturn:
    """approved → returned, by an administrator only, with a reason: the supplier can
    amend it again and must resubmit. Emails the contacts as a send-back does."""
    if not is_administrator(user):
        raise PermissionDenied(NOT_ADMINISTRATOR)
    annual_return = _lock(annual_return)
    if annual_return.status != AnnualReturn.Status.APPROVED:
        raise _state_error(NOT_APPROVED, annual_return)
    return _send_back(
        annual_return=annual_return,
        user=user,
        reason=reason,
        line_comments=line_comments,
        kind=events.REOPENED,
    )


def _lock_line(line: ReturnLine) -> tuple[AnnualReturn, ReturnLine]:
    # The return first, then the line, as line_save does: no deadlocks.
    annual_return = _lock(line.annual_return)
    locked = (
        ReturnLine.objects.select_for_update(of=("self",))
        .select_related("contract")
        .get(pk=line.pk)
    )
    return annual_return, locked


@transaction.atomic
def line_exclude(*, line: ReturnLine, user, reason: str) -> ReturnLine:
    """Takes a line out of every figure (a novated contract), with a reason. Not on an
    approved return (an administrator reopens it first). Called by the review page and
    the re-issue list."""
    if not is_team(user):
        raise PermissionDenied(NOT_TEAM)
    reason = _clean(reason)
    if not reason:
        raise ReviewRefused({"reason": [EXCLUDE_REASON_REQUIRED]}, code="required")
    limits.require_length(
        reason, label="The reason", limit=limits.MESSAGE, field="reason"
    )
    annual_return, line = _lock_line(line)
    if annual_return.status == AnnualReturn.Status.APPROVED:
        raise _state_error(APPROVED_LOCKED, annual_return)
    if line.is_excluded:
        raise ReviewRefused(
            ALREADY_EXCLUDED.format(contract=line.contract.reference), code="state"
        )
    line.excluded_reason = reason
    line.excluded_by = user
    line.excluded_at = timezone.now()
    line._history_user = user
    line.save(update_fields=["excluded_reason", "excluded_by", "excluded_at"])
    # Excluded lines count nowhere: double counting is looked for again.
    double_counting_refresh(annual_return=annual_return, user=user)
    summary_refresh(contract_ids=[line.contract_id])
    event_record(
        annual_return=annual_return,
        kind=events.LINE_EXCLUDED,
        actor=user,
        comment=reason,
        snapshot={"line": line.pk, "contract": line.contract.reference},
    )
    return line


@transaction.atomic
def line_include(*, line: ReturnLine, user, reason: str) -> ReturnLine:
    """Puts an excluded line back into the figures, with a reason."""
    if not is_team(user):
        raise PermissionDenied(NOT_TEAM)
    reason = _clean(reason)
    if not reason:
        raise ReviewRefused({"reason": [INCLUDE_REASON_REQUIRED]}, code="required")
    annual_return, line = _lock_line(line)
    if annual_return.status == AnnualReturn.Status.APPROVED:
        raise _state_error(APPROVED_LOCKED, annual_return)
    if not line.is_excluded:
        raise ReviewRefused(
            NOT_EXCLUDED.format(contract=line.contract.reference), code="state"
        )
    line.excluded_reason = ""
    line.excluded_by = None
    line.excluded_at = None
    line._history_user = user
    line.save(update_fields=["excluded_reason", "excluded_by", "excluded_at"])
    # Excluded lines count nowhere: double counting is looked for again.
    double_counting_refresh(annual_return=annual_return, user=user)
    summary_refresh(contract_ids=[line.contract_id])
    event_record(
        annual_return=annual_return,
        kind=events.LINE_INCLUDED,
        actor=user,
        comment=reason,
        snapshot={"line": line.pk, "contract": line.contract.reference},
    )
    return line
