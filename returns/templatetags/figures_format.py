"""Formatting figures for pages, emails and exports: the one place a number, a rate, a
count or a date becomes text (DESIGN "Numbers").

Thousands separators, £ before the sign's magnitude, credits to 2 places, quantities
without ".00", rates with the places they have ("0.5 credits each"), counts with their
noun ("1 person", "2 people"), dates as "5 February 2028", and never `E+` notation
(a Decimal like `1E+1` is printed as "10"). Python code that builds text for people
(form hints, event comments, CSV cells) calls these functions too.

The module is a template builtin (`portal.settings`): every template can use its
filters without `{% load %}`. It also holds the GOV.UK status tag (`govuk_tag`), a
state's label as a page shows it, written once here because lists of hundreds of
lines show one each (an `{% include %}` per line cost the task list a fifth of its
time).
"""

import datetime
from decimal import Decimal

from django import template
from django.utils import dateformat, timezone
from django.utils.html import format_html

from core.numbers import to_decimal

register = template.Library()


@register.simple_tag
def govuk_tag(text, colour=""):
    """GOV.UK tag (design-system.service.gov.uk/components/tag): blue, the default,
    or nothing adds no modifier class; otherwise one of govuk-frontend 6's colours."""
    if colour and colour != "blue":
        return format_html(
            '<strong class="govuk-tag govuk-tag--{}">{}</strong>', colour, text
        )
    return format_html('<strong class="govuk-tag">{}</strong>', text)


MINUS = "\u2212"
DAY_FORMAT = "j F Y"  # 5 February 2028
MOMENT_FORMAT = "j F Y H:i"  # 5 February 2028 14:03 (London)


def _places_needed(value: Decimal) -> int:
    """How many decimal places `value` has once its trailing zeros go."""
    if value == value.to_integral_value():
        return 0
    return max(0, -value.normalize().as_tuple().exponent)


def _number(value, places: int | None) -> str:
    value = to_decimal(value)
    if places is None:  # quantities: as many places as the value needs, up to 2
        places = 0 if value == value.to_integral_value() else 2
    return f"{abs(value):,.{places}f}"


def _sign(value) -> str:
    return MINUS if to_decimal(value) < 0 else ""


@register.filter
def figure(value, unit: str = "") -> str:
    """A quantity in its unit: "£1,234.50", "1,234" people, "12.50" hours."""
    if value is None or value == "":
        return "–"
    sign = _sign(value)
    if unit == "£":
        return f"{sign}£{_number(value, 2)}"
    if unit == "credits":
        return f"{sign}{_number(value, 2)}"
    return f"{sign}{_number(value, None)}"


# Units of the measure catalogue, as one of them reads ("1 person", "1 hour").
SINGULAR_UNITS = {"people": "person", "tonnes CO2e": "tonne CO2e"}


@register.filter
def in_unit(value, unit: str) -> str:
    """A quantity with its measure's unit: "£1,250.00", "1 person", "3 people",
    "12.50 hours", "1 placement"."""
    if value is None or value == "":
        return "–"
    if unit == "£":
        return figure(value, "£")
    if to_decimal(value) == 1:
        unit = SINGULAR_UNITS.get(unit, unit.removesuffix("s"))
    return f"{figure(value)} {unit}".rstrip()


@register.filter
def number(value) -> str:
    """A number with the places it has and thousands separators: "10", "0.5",
    "1,250.25" (never "1E+1" or "0.500000")."""
    if value is None or value == "":
        return "–"
    decimal = to_decimal(value)
    return f"{_sign(decimal)}{abs(decimal):,.{_places_needed(decimal)}f}"


@register.filter
def plain(value) -> str:
    """A number as a form field shows it for editing: the places it has, no
    separators, no `E+` ("10", "0.0001")."""
    if value is None or value == "":
        return ""
    decimal = to_decimal(value)
    return f"{decimal:.{_places_needed(decimal)}f}"


@register.filter
def rate(value) -> str:
    """Credits per unit: "0.5 credits each", "1 credit each"."""
    if value is None or value == "":
        return "–"
    noun = "credit" if to_decimal(value) == 1 else "credits"
    return f"{number(value)} {noun} each"


@register.filter
def count(value, nouns: str) -> str:
    """A count with its noun: `{{ n|count:"person,people" }}` → "1 person",
    "2 people"; `{{ n|count:"contract" }}` → "1 contract", "3 contracts"."""
    singular, _, plural = nouns.partition(",")
    plural = plural or f"{singular}s"
    value = 0 if value is None or value == "" else value
    return f"{number(value)} {singular if to_decimal(value) == 1 else plural}"


@register.filter
def day(value) -> str:
    """A date as "5 February 2028" (a moment: its day in London; an ISO date as an
    event's snapshot keeps it)."""
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        try:
            value = datetime.date.fromisoformat(value)
        except ValueError:
            return value  # not a date: shown as it is rather than a server error
    if isinstance(value, datetime.datetime):
        value = timezone.localtime(value) if timezone.is_aware(value) else value
    return dateformat.format(value, DAY_FORMAT)


@register.filter
def moment(value) -> str:
    """A moment as "5 February 2028 14:03", London time."""
    if value is None or value == "":
        return ""
    if timezone.is_aware(value):
        value = timezone.localtime(value)
    return dateformat.format(value, MOMENT_FORMAT)


@register.filter
def shown(value, unit: str = "") -> str:
    """Any stored value as a person reads it (history pages and their CSV): numbers
    through `figure` (or `rate`), dates and moments in words, yes/no, "(empty)"."""
    if value is None or value == "":
        return "(empty)"
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, datetime.datetime):
        return moment(value)
    if isinstance(value, datetime.date):
        return day(value)
    if isinstance(value, Decimal | float):
        return rate(value) if unit == "rate" else figure(value, unit)
    return str(value)


@register.filter
def change(value, unit: str = "") -> str:
    """A change with its sign: "+12", "−£3.00", "no change"."""
    if value is None or value == "":
        return "–"
    if to_decimal(value) == 0:
        return "no change"
    text = figure(value, unit)
    return text if text.startswith(MINUS) else f"+{text}"


@register.filter
def percent(value) -> str:
    if value is None:
        return ""
    value = to_decimal(value)
    if value == 0:
        return "0%"
    return f"{'+' if value > 0 else MINUS}{number(abs(value))}%"
