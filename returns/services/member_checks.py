"""Members confirm or dispute the figures of an approved line on their contracts
(issue 22).

A member viewer confirms a line ("Confirmed by the member") or disputes it with a
reason, for the whole line or one measure ("Disputed"). A dispute is a request on
the team's desk until the team answers: it keeps the figures (with the reason the
member and the supplier read), or sends the return back to the supplier through
the review's reopen (`review.return_reopen`: an approved return goes back only by
an administrator's hand, DESIGN "Return states"), with the member's words as the
comment on that line. Once the supplier resubmits and the team approves again, the
member may check the line anew. Nothing here touches a line's version or figures.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.permissions import is_administrator, is_team
from core import limits
from frameworks.models import Member

from .. import events
from ..models import AnnualReturn, Measure, MemberCheck, ReturnLine
from .events import event_record
from .review import return_reopen

NOT_APPROVED = "Only the figures of an approved return can be confirmed or disputed"
NOT_YOURS = "This contract was not yours that year"
EXCLUDED = "This contract was excluded from the return"
DISPUTE_OPEN = (
    "A dispute of these figures is waiting for the social value team's answer: "
    "you can confirm or dispute them again once it is answered"
)
REASON_NEEDED = "Enter why you think the figures are wrong"
MEASURE_NOT_ON_LINE = "Select a measure the supplier reported on this contract"
ANSWER_NEEDED = "Enter the answer the member and the supplier will read"
ALREADY_ANSWERED = "This dispute has already been answered"
NOT_TEAM = "Only the social value team can answer a member's dispute"
REOPEN_NEEDS_ADMINISTRATOR = (
    "Only an administrator can send an approved return back to the supplier: ask "
    "one, or keep the figures with a reason"
)
UNKNOWN_OUTCOME = "Select whether to keep the figures or send the return back"


def _locked_line(line: ReturnLine, member: Member) -> ReturnLine:
    annual_return = AnnualReturn.objects.select_for_update().get(
        pk=line.annual_return_id
    )
    line = ReturnLine.objects.select_related("contract").get(pk=line.pk)
    line.annual_return = annual_return
    if line.member_id != member.pk:
        raise PermissionDenied(NOT_YOURS)
    if annual_return.status != AnnualReturn.Status.APPROVED:
        raise ValidationError(NOT_APPROVED)
    if line.excluded_at:
        raise ValidationError(EXCLUDED)
    if line.member_checks.filter(
        kind=MemberCheck.Kind.DISPUTED, answered_at__isnull=True
    ).exists():
        raise ValidationError(DISPUTE_OPEN)
    return line


def _clean_text(text: str | None, *, needed: str, label: str) -> str:
    """The text, stripped; refused when empty or over `limits.MESSAGE` (in the
    form's words)."""
    text = (text or "").strip()
    if not text:
        raise ValidationError(needed)
    limits.require_length(text, label=label, limit=limits.MESSAGE)
    return text


@transaction.atomic
def line_member_confirm(
    *, line: ReturnLine, member: Member, acting_user
) -> MemberCheck:
    """A member viewer confirms an approved line's figures. Records an event on the
    return. Called by the member's contract page."""
    line = _locked_line(line, member)
    check = MemberCheck.objects.create(
        line=line,
        member=member,
        kind=MemberCheck.Kind.CONFIRMED,
        raised_by=acting_user,
        raised_at=timezone.now(),
    )
    event_record(
        annual_return=line.annual_return,
        kind=events.MEMBER_CONFIRMED,
        actor=acting_user,
        snapshot={"line_id": line.pk, "contract": line.contract.reference},
    )
    return check


@transaction.atomic
def line_member_dispute(
    *,
    line: ReturnLine,
    member: Member,
    acting_user,
    reason: str,
    measure: Measure | None = None,
) -> MemberCheck:
    """A member viewer disputes an approved line's figures, the whole line or one
    measure it has a figure for, with a reason: a request on the team's desk.
    Records an event on the return. Called by the member's dispute page."""
    reason = _clean_text(reason, needed=REASON_NEEDED, label="The reason")
    line = _locked_line(line, member)
    if measure is not None and not line.entries.filter(measure=measure).exists():
        raise ValidationError(MEASURE_NOT_ON_LINE)
    check = MemberCheck.objects.create(
        line=line,
        member=member,
        kind=MemberCheck.Kind.DISPUTED,
        measure=measure,
        reason=reason,
        raised_by=acting_user,
        raised_at=timezone.now(),
    )
    event_record(
        annual_return=line.annual_return,
        kind=events.MEMBER_DISPUTED,
        actor=acting_user,
        comment=reason,
        snapshot={
            "line_id": line.pk,
            "contract": line.contract.reference,
            "measure": measure.code if measure else "",
            "check_id": check.pk,
        },
    )
    return check


@transaction.atomic
def member_dispute_answer(
    *, check: MemberCheck, acting_user, outcome: str, answer: str
) -> MemberCheck:
    """The team's answer to a member's dispute: `kept` (the figures stand, for the
    reason given) or `reopened` (the return goes back to the supplier through the
    review's reopen, the member's words as the comment on the disputed line; an
    administrator only). Records an event. Called by the team's dispute page."""
    if not is_team(acting_user):
        raise PermissionDenied(NOT_TEAM)
    if outcome not in MemberCheck.Outcome.values:
        raise ValidationError(UNKNOWN_OUTCOME)
    answer = _clean_text(answer, needed=ANSWER_NEEDED, label="The answer")
    # Only the check's row is locked: the measure is an outer join (a whole-line
    # dispute has none), which PostgreSQL cannot lock.
    check = (
        MemberCheck.objects.select_for_update(of=("self",))
        .select_related("line__annual_return", "line__contract", "measure")
        .get(pk=check.pk)
    )
    if check.kind != MemberCheck.Kind.DISPUTED or check.answered_at:
        raise ValidationError(ALREADY_ANSWERED)
    line = check.line
    if outcome == MemberCheck.Outcome.REOPENED:
        if not is_administrator(acting_user):
            raise PermissionDenied(REOPEN_NEEDS_ADMINISTRATOR)
        what = f" ({check.measure.name})" if check.measure else ""
        return_reopen(
            annual_return=line.annual_return,
            user=acting_user,
            reason=answer,
            line_comments={
                line.pk: f"The member disputes these figures{what}: {check.reason}"
            },
        )
    check.outcome = outcome
    check.answer = answer
    check.answered_by = acting_user
    check.answered_at = timezone.now()
    check.save(update_fields=["outcome", "answer", "answered_by", "answered_at"])
    event_record(
        annual_return=line.annual_return,
        kind=events.MEMBER_DISPUTE_ANSWERED,
        actor=acting_user,
        comment=answer,
        snapshot={
            "line_id": line.pk,
            "contract": line.contract.reference,
            "check_id": check.pk,
            "outcome": outcome,
        },
    )
    return check
