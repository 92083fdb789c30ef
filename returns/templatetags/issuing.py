"""Template helpers for the "issued" email."""

from decimal import Decimal

from django import template

from .figures_format import day

register = template.Library()


@register.simple_tag
def issued_lines(annual_return):
    """The return's counted lines with contract and member, for the email."""
    return list(
        annual_return.lines.filter(excluded_at__isnull=True)
        .select_related("contract", "member")
        .order_by("contract__reference")
    )


@register.filter
def total_target(lines) -> Decimal:
    return sum((line.target_credits for line in lines), Decimal("0.00"))


@register.simple_tag
def refresh_notice(annual_return) -> dict | None:
    """For the supplier's banner: the latest re-issue that changed this open return
    (spend and target updated, or contracts added), in words; None if there is none."""
    from returns import events

    if not annual_return.is_editable:
        return None
    event = (
        annual_return.events.filter(kind__in=[events.REFRESHED, events.LINE_ADDED])
        .order_by("-at", "-id")
        .first()
    )
    if event is None:
        return None
    contracts = event.comment
    if event.kind == events.REFRESHED:
        heading = "Spend and targets have been updated"
        body = (
            f"On {day(event.at)} the social value team updated the spend in the "
            f"year, and so the target, on {contracts} after corrected valuations. "
            "Your figures have not changed."
        )
    else:
        heading = "Contracts have been added to this return"
        body = (
            f"On {day(event.at)} the social value team added {contracts}: "
            "its spend in the year now qualifies it."
        )
    return {"heading": heading, "body": body}
