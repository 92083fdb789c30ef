"""Approval in bulk, where it is safe (issue 23, part 4).

The team selects several returns on the review queue and approves them at once,
only where none has an unchecked flag, an open query or a member's open dispute (and
each is still submitted). If any selected return fails, the whole batch is refused
with a message naming each refused return and why, and nothing changes: the team
then opens those returns one by one. Each return approved is its own approval, by
`review.return_approve`: its own event, history row and email to its contacts,
exactly as a single approval.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Q

from accounts.permissions import is_team

from ..models import AnnualReturn, LineFlag, LineQuery, MemberCheck
from .review import NOT_TEAM, return_approve

NOTHING_CHOSEN = "Select the returns to approve"
TOO_MANY = "Approve at most {limit} returns at once"
NOT_FOUND = "No return {reference}"
REFUSED = "Nothing was approved. {details}"
MAX_BATCH = 100


class BulkApprovalRefused(ValidationError):
    """At least one return of the batch cannot be approved in bulk; `refusals`
    maps each such reference to its reasons."""

    def __init__(self, refusals: dict[str, list[str]]):
        self.refusals = refusals
        details = " ".join(
            f"{reference}: {'; '.join(reasons)}."
            for reference, reasons in refusals.items()
        )
        super().__init__(REFUSED.format(details=details), code="refused")


def _plural(count: int, one: str, many: str) -> str:
    return f"{count} {one if count == 1 else many}"


def bulk_refusals(*, annual_returns: list[AnnualReturn]) -> dict[str, list[str]]:
    """{reference: reasons} for each return that may not be approved in bulk. Three
    queries, whatever the number of returns."""
    ids = [r.pk for r in annual_returns]
    flags = dict(
        LineFlag.objects.filter(
            line__annual_return_id__in=ids,
            line__excluded_at__isnull=True,
            checked_at__isnull=True,
        )
        .order_by()
        .values("line__annual_return_id")
        .annotate(n=Count("pk"))
        .values_list("line__annual_return_id", "n")
    )
    queries = dict(
        LineQuery.objects.filter(
            line__annual_return_id__in=ids, answered_at__isnull=True
        )
        .order_by()
        .values("line__annual_return_id")
        .annotate(n=Count("pk"))
        .values_list("line__annual_return_id", "n")
    )
    disputes = dict(
        MemberCheck.objects.filter(
            Q(line__annual_return_id__in=ids),
            kind=MemberCheck.Kind.DISPUTED,
            answered_at__isnull=True,
        )
        .order_by()
        .values("line__annual_return_id")
        .annotate(n=Count("pk"))
        .values_list("line__annual_return_id", "n")
    )
    refusals: dict[str, list[str]] = {}
    for annual_return in sorted(annual_returns, key=lambda r: r.reference):
        reasons = []
        if annual_return.status != AnnualReturn.Status.SUBMITTED:
            reasons.append(
                f"it is {annual_return.get_status_display().lower()}, not submitted"
            )
        if flags.get(annual_return.pk):
            reasons.append(
                _plural(flags[annual_return.pk], "unchecked flag", "unchecked flags")
            )
        if queries.get(annual_return.pk):
            reasons.append(
                _plural(queries[annual_return.pk], "open query", "open queries")
            )
        if disputes.get(annual_return.pk):
            reasons.append(
                _plural(
                    disputes[annual_return.pk],
                    "open dispute from a member",
                    "open disputes from members",
                )
            )
        if reasons:
            refusals[annual_return.reference] = reasons
    return refusals


@transaction.atomic
def returns_approve_bulk(
    *, references: list[str], user, comment: str = ""
) -> list[AnnualReturn]:
    """Approves every return named in `references`, or none: refuses the whole
    batch (BulkApprovalRefused, naming each refused return and why) if any is not
    submitted or has an unchecked flag, an open query or an open dispute. Each
    approval is `return_approve`'s own (event, history, email). Called by the
    review queue."""
    if not is_team(user):
        raise PermissionDenied(NOT_TEAM)
    references = list(dict.fromkeys(r for r in references if r))
    if not references:
        raise ValidationError(NOTHING_CHOSEN, code="required")
    if len(references) > MAX_BATCH:
        raise ValidationError(TOO_MANY.format(limit=MAX_BATCH), code="too_many")
    # Locked in one order (by id) so two bulk approvals at once cannot deadlock; the
    # checks below then read what no one else can change until we commit.
    locked = {
        r.reference: r
        for r in AnnualReturn.objects.select_for_update(of=("self",))
        .select_related("supplier", "year")
        .filter(reference__in=references)
        .order_by("pk")
    }
    missing = [r for r in references if r not in locked]
    if missing:
        raise BulkApprovalRefused(
            {
                reference: [NOT_FOUND.format(reference=reference)]
                for reference in missing
            }
        )
    refusals = bulk_refusals(annual_returns=list(locked.values()))
    if refusals:
        raise BulkApprovalRefused(refusals)
    return [
        return_approve(annual_return=locked[reference], user=user, comment=comment)
        for reference in sorted(references)
    ]
