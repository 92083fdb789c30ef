"""Template helpers for the "issued" email."""

from decimal import Decimal

from django import template

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
