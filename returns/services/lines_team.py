"""The team's actions on a single line. A minimal `line_exclude` for answering line
queries; the review work (issue 8) may grow its own in `review.py`, and then this
one should call or be replaced by it."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from core import limits

from .. import events
from ..models import AnnualReturn, ReturnLine
from .double_counting import double_counting_refresh
from .events import event_record
from .summary import summary_refresh

ALREADY_EXCLUDED = "This contract is already excluded from the return"
REASON_NEEDED = "Enter why the contract is excluded"
APPROVED_LOCKED = (
    "The return has been approved: an administrator must reopen it before a "
    "contract can be excluded"
)


@transaction.atomic
def line_exclude(*, line: ReturnLine, acting_user, reason: str) -> ReturnLine:
    """Excludes one line from its return with a reason (a novated contract, or not
    the supplier's): it then counts nowhere. Records an event; never touches the
    line's version. Called when the team answers a query."""
    line = ReturnLine.objects.select_for_update().get(pk=line.pk)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(REASON_NEEDED)
    limits.require_length(reason, label="The reason", limit=limits.MESSAGE)
    if line.excluded_at:
        raise ValidationError(ALREADY_EXCLUDED)
    annual_return = line.annual_return
    if annual_return.status == AnnualReturn.Status.APPROVED:
        raise ValidationError(APPROVED_LOCKED)
    line.excluded_reason = reason
    line.excluded_by = acting_user
    line.excluded_at = timezone.now()
    line.save(update_fields=["excluded_reason", "excluded_by", "excluded_at"])
    # An excluded line counts nowhere: it no longer duplicates another's figures.
    double_counting_refresh(annual_return=annual_return, user=acting_user)
    summary_refresh(contract_ids=[line.contract_id])
    event_record(
        annual_return=annual_return,
        kind=events.LINE_EXCLUDED,
        actor=acting_user,
        comment=reason,
        snapshot={"line_id": line.pk, "contract": line.contract.reference},
    )
    return line
