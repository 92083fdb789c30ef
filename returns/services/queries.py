"""Line queries: a supplier says a line looks wrong; the team answers (and may
exclude the line). An open query shows "there is a problem" on the line
(`returns.completeness`) but never blocks a submission. Nothing here touches a
line's version."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from .. import events
from ..models import AnnualReturn, LineQuery, ReturnLine
from .events import event_record
from .lines_team import line_exclude

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


@transaction.atomic
def query_raise(*, line: ReturnLine, acting_user, reason: str, text: str) -> LineQuery:
    """A supplier's query on one of their lines. Records an event. Called by the
    supplier's query page."""
    if reason not in REASONS:
        raise ValidationError(UNKNOWN_REASON)
    text = (text or "").strip()
    if not text:
        raise ValidationError(TEXT_NEEDED)
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


@transaction.atomic
def query_answer(
    *, query: LineQuery, acting_user, answer: str, exclude_line: bool = False
) -> LineQuery:
    """The team's answer, which closes the query; with `exclude_line` the line is
    excluded from its return with the answer as the reason. Records an event (two,
    with the exclusion). Refuses a second answer. Called by the team's query page."""
    query = LineQuery.objects.select_for_update().get(pk=query.pk)
    answer = (answer or "").strip()
    if not answer:
        raise ValidationError(ANSWER_NEEDED)
    if query.answered_at:
        raise ValidationError(ALREADY_ANSWERED)
    line = query.line
    if exclude_line:
        line_exclude(line=line, acting_user=acting_user, reason=answer)
    query.answer = answer
    query.answered_by = acting_user
    query.answered_at = timezone.now()
    query.save(update_fields=["answer", "answered_by", "answered_at"])
    event_record(
        annual_return=line.annual_return,
        kind=events.QUERY_ANSWERED,
        actor=acting_user,
        comment=answer,
        snapshot={
            "query_id": query.pk,
            "line_id": line.pk,
            "contract": line.contract.reference,
            "line_excluded": exclude_line,
        },
    )
    return query
