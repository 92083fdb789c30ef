"""Line queries: a supplier says a line looks wrong; the team answers (and may
exclude the line, or correct the contract's valuations, which recomputes the line's
spend and target: `spend_corrections`). An open query shows "there is a problem" on
the line (`returns.selectors.completeness`) but never blocks a submission. Raising or answering
a query leaves the line's version alone; only a correction that changes the line's
spend or target raises it. The people who raised the query and the supplier's active
contacts are emailed the answer through the Notification ledger (at most once).
"""

import datetime
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.permissions import is_team
from core import limits

from .. import events
from ..models import AnnualReturn, LineQuery, Notification, ReturnLine
from .events import event_record
from .lines_team import line_exclude
from .notifications import notifications_queue
from .spend_corrections import (
    SpendCorrection,
    corrected_quarters,
    line_spend_correct,
)

REASONS = {
    "not_our_contract": "This is not our contract",
    "spend_wrong": "The spend is wrong",
    "other": "Something else",
}
UNKNOWN_REASON = "Select what is wrong with this contract"
TEXT_NEEDED = "Enter what is wrong with this contract"
ANSWER_NEEDED = "Enter an answer"
ALREADY_ANSWERED = "This query has already been answered"
RETURN_CLOSED = "This return has been approved: ask the social value team directly"
NOT_TEAM = "Only the social value team can answer queries"
EXCLUDE_OR_CORRECT = (
    "Either exclude the contract or correct its spend, not both: an excluded "
    "contract's spend counts nowhere"
)


@transaction.atomic
def query_raise(*, line: ReturnLine, acting_user, reason: str, text: str) -> LineQuery:
    """A supplier's query on one of their lines. Records an event. Called by the
    supplier's query page."""
    if reason not in REASONS:
        raise ValidationError(UNKNOWN_REASON)
    text = (text or "").strip()
    if not text:
        raise ValidationError(TEXT_NEEDED)
    limits.require_length(text, label="The query", limit=limits.MESSAGE)
    annual_return = AnnualReturn.objects.select_for_update().get(
        pk=line.annual_return_id
    )
    if annual_return.status in (
        AnnualReturn.Status.APPROVED,
        AnnualReturn.Status.NOT_REQUIRED,
    ):
        raise ValidationError(RETURN_CLOSED)
    query = LineQuery.objects.create(
        line=line,
        raised_by=acting_user,
        text=f"{REASONS[reason]}: {text}",
        raised_at=timezone.now(),
    )
    event_record(
        annual_return=annual_return,
        kind=events.QUERY_RAISED,
        actor=acting_user,
        comment=query.text,
        snapshot={
            "query_id": query.pk,
            "line_id": line.pk,
            "contract": line.contract.reference,
            "reason": reason,
        },
    )
    return query


def query_email_key(query: LineQuery) -> str:
    """The ledger key of a query's "answered" email: one per query and person."""
    return f"query:{query.pk}"


def _people_to_tell(query: LineQuery, annual_return: AnnualReturn) -> list:
    people = [
        contact.user
        for contact in annual_return.supplier.contacts.filter(
            is_active=True, user__is_active=True
        ).select_related("user")
    ]
    raiser = query.raised_by
    if raiser.is_active and not is_team(raiser):
        people.insert(0, raiser)
    return people


@transaction.atomic
def query_answer(
    *,
    query: LineQuery,
    acting_user,
    answer: str,
    exclude_line: bool = False,
    valuations: dict[datetime.date, object] | None = None,
    valuations_were: dict[datetime.date, Decimal | None] | None = None,
) -> LineQuery:
    """The team's answer, which closes the query. With `exclude_line` the line is
    excluded from its return with the answer as the reason; with `valuations`
    (quarter end → amount typed) the contract's valuations for the year are
    corrected and the line's spend and target recomputed (`line_spend_correct`; see
    there for `valuations_were` and the refusals). All or nothing: a refused
    correction leaves the query unanswered. Records a `query_answered` event saying
    what changed (and the exclusion's or correction's own event), and emails the
    person who raised the query and the supplier's active contacts once. Refuses a
    second answer, and anyone outside the team. Called by the team's query page."""
    if not is_team(acting_user):
        raise PermissionDenied(NOT_TEAM)
    # The return first (as every writer of lines does), then the query.
    return_id = (
        LineQuery.objects.filter(pk=query.pk)
        .values_list("line__annual_return_id", flat=True)
        .get()
    )
    annual_return = (
        AnnualReturn.objects.select_for_update()
        .select_related("supplier", "year")
        .get(pk=return_id)
    )
    query = (
        LineQuery.objects.select_for_update(of=("self",))
        .select_related("line__contract", "raised_by")
        .get(pk=query.pk)
    )
    answer = (answer or "").strip()
    if not answer:
        raise ValidationError(ANSWER_NEEDED)
    limits.require_length(answer, label="The answer", limit=limits.MESSAGE)
    if query.answered_at:
        raise ValidationError(ALREADY_ANSWERED)
    line = query.line
    line.annual_return = annual_return
    correction: SpendCorrection | None = None
    if valuations and exclude_line:
        if corrected_quarters(
            line=line, amounts=valuations, amounts_were=valuations_were
        ):
            raise ValidationError(EXCLUDE_OR_CORRECT)
    elif valuations:
        correction = line_spend_correct(
            line=line,
            acting_user=acting_user,
            amounts=valuations,
            amounts_were=valuations_were,
            reason=answer,
        )
    if exclude_line:
        line_exclude(line=line, acting_user=acting_user, reason=answer)
    query.answer = answer
    query.answered_by = acting_user
    query.answered_at = timezone.now()
    query.save(update_fields=["answer", "answered_by", "answered_at"])
    event_record(
        annual_return=annual_return,
        kind=events.QUERY_ANSWERED,
        actor=acting_user,
        comment=answer,
        snapshot={
            "query_id": query.pk,
            "line_id": line.pk,
            "contract": line.contract.reference,
            "line_excluded": exclude_line,
            "spend_corrected": correction.as_dict() if correction else None,
        },
    )
    notifications_queue(
        recipients=_people_to_tell(query, annual_return),
        kind=Notification.Kind.QUERY_ANSWERED,
        annual_return=annual_return,
        key=query_email_key(query),
    )
    return query
