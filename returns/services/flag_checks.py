"""The team's mark on a flag (issue 23, part 3): "checked", with a note saying what
was looked at. The flag stays (it still applies: the mark records the team's
judgement, kept in the flag's history and as an event on the return); a checked flag
no longer ranks its return in the review queue nor stops a bulk approval."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.permissions import is_team
from core import limits

from .. import events
from ..models import AnnualReturn, LineFlag
from .events import event_record

NOTE_REQUIRED = "Enter a note saying what you checked"
ALREADY_CHECKED = "This flag was already checked by {who} on {day}"
NOT_SUBMITTED = (
    "Return {reference} is {status}: flags are checked while it awaits review"
)
NOT_TEAM = "Only the social value team can check flags"


@transaction.atomic
def flag_check(*, flag: LineFlag, user, note: str) -> LineFlag:
    """Marks one flag checked by `user` with `note` (required, at most a note's
    length), on a submitted return only. Records an event on the return; the flag's
    history keeps who and when. Called by the team's review page."""
    if not is_team(user):
        raise PermissionDenied(NOT_TEAM)
    note = (note or "").strip()
    if not note:
        raise ValidationError({"note": [NOTE_REQUIRED]}, code="required")
    limits.require_length(note, label="The note", limit=limits.NOTE, field="note")
    # The return first, then the flag, as every writer of a return's lines does.
    annual_return = AnnualReturn.objects.select_for_update().get(
        pk=flag.line.annual_return_id
    )
    flag = (
        LineFlag.objects.select_for_update(of=("self",))
        .select_related("line__contract", "checked_by")
        .get(pk=flag.pk)
    )
    if annual_return.status != AnnualReturn.Status.SUBMITTED:
        raise ValidationError(
            NOT_SUBMITTED.format(
                reference=annual_return.reference,
                status=annual_return.get_status_display().lower(),
            ),
            code="state",
        )
    if flag.checked_at is not None:
        raise ValidationError(
            ALREADY_CHECKED.format(
                who=flag.checked_by, day=timezone.localdate(flag.checked_at)
            ),
            code="state",
        )
    flag.checked_at = timezone.now()
    flag.checked_by = user
    flag.check_note = note
    flag._history_user = user
    flag.save(update_fields=["checked_at", "checked_by", "check_note"])
    event_record(
        annual_return=annual_return,
        kind=events.FLAG_CHECKED,
        actor=user,
        comment=note,
        snapshot={
            "flag_id": flag.pk,
            "line_id": flag.line_id,
            "contract": flag.line.contract.reference,
            "code": flag.code,
            "measure_code": flag.measure_code,
        },
    )
    return flag
