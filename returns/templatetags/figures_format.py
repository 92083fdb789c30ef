"""Formatting figures for pages: thousands separators, £ before the sign's magnitude,
whole numbers without ".00", and a sign on changes."""

from decimal import Decimal

from django import template

register = template.Library()

MINUS = "\u2212"


def _number(value, places: int | None) -> str:
    value = Decimal(value)
    if places is None:  # quantities: as many places as the value needs, up to 2
        places = 0 if value == value.to_integral_value() else 2
    return f"{abs(value):,.{places}f}"


@register.filter
def figure(value, unit: str = "") -> str:
    """A quantity in its unit: "£1,234.50", "1,234" people, "12.50" hours."""
    if value is None or value == "":
        return "–"
    sign = MINUS if Decimal(value) < 0 else ""
    if unit == "£":
        return f"{sign}£{_number(value, 2)}"
    if unit == "credits":
        return f"{sign}{_number(value, 2)}"
    return f"{sign}{_number(value, None)}"


@register.filter
def change(value, unit: str = "") -> str:
    """A change with its sign: "+12", "−£3.00", "no change"."""
    if value is None or value == "":
        return "–"
    if Decimal(value) == 0:
        return "no change"
    text = figure(value, unit)
    return text if text.startswith(MINUS) else f"+{text}"


@register.filter
def percent(value) -> str:
    if value is None:
        return ""
    value = Decimal(value)
    if value == 0:
        return "0%"
    return f"{'+' if value > 0 else MINUS}{abs(value)}%"
