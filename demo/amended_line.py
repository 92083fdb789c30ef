"""The demo's return sent back for amendment has one line the supplier has since
changed, so the task list shows a line "Amended" beside the others (issue 21).

Runs after the years are issued and filled in. Goes through `line_save`, as the
supplier's line page does. Idempotent: a line changed after the send-back is left.
"""

from __future__ import annotations

from demo.consortium import DemoBuild
from returns import events
from returns.models import AnnualReturn, ReturnEvent, ReturnLine
from returns.services import line_save

CHECKED_AGAIN = " We checked this again after the team's comments."


def build_amended_line(build: DemoBuild) -> None:
    annual_return = (
        AnnualReturn.objects.filter(status=AnnualReturn.Status.RETURNED)
        .select_related("supplier")
        .order_by("-year__starts_on", "reference")
        .first()
    )
    if annual_return is None:
        return
    sent_back = (
        ReturnEvent.objects.filter(
            annual_return=annual_return, kind__in=[events.RETURNED, events.REOPENED]
        )
        .order_by("-at", "-id")
        .first()
    )
    contact = (
        annual_return.supplier.contacts.filter(is_active=True)
        .select_related("user")
        .order_by("-is_primary", "pk")
        .first()
    )
    if sent_back is None or contact is None:
        return
    lines = ReturnLine.objects.filter(
        annual_return=annual_return, excluded_at__isnull=True
    ).order_by("contract__reference")
    if (
        lines.filter(updated_at__gt=sent_back.at).exists()
        or lines.filter(shortfall_reason__endswith=CHECKED_AGAIN).exists()
    ):
        return
    line = lines.exclude(shortfall_reason="").select_related("contract").first()
    if line is None:
        return
    line_save(
        line=line,
        user=contact.user,
        expected_version=line.version,
        quantities={
            code: str(quantity)
            for code, quantity in line.entries.values_list("measure__code", "quantity")
        },
        nothing_delivered_reason=line.nothing_delivered_reason,
        shortfall_reason=line.shortfall_reason + CHECKED_AGAIN,
        recovery_plan=line.recovery_plan,
        recovery_by=line.recovery_by,
        today=build.today,
    )
    build.log(f"amended a line of {annual_return.reference} after its send-back")
