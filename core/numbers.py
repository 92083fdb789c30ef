"""The one place money, credits and quantities are rounded: half-up, before storage.

The database never rounds for us: SQLite reads decimals back half-even and PostgreSQL
rounds half away from zero, so a value reaches either only after it has been rounded here.
"""

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

MONEY_PLACES = 2
CREDIT_PLACES = 2
QUANTITY_PLACES = 2
RATE_PLACES = 6
HUNDRED_THOUSAND = Decimal("100000")


def to_decimal(value: object) -> Decimal:
    """A Decimal from an int, str, Decimal or float (a float through its repr)."""
    if isinstance(value, Decimal):
        return value
    if isinstance(value, float):
        return Decimal(repr(value))
    try:
        return Decimal(str(value).strip())
    except InvalidOperation as error:
        raise ValueError(f"{value!r} is not a number") from error


def round_half_up(value: object, places: int) -> Decimal:
    exponent = Decimal(1).scaleb(-places)
    return to_decimal(value).quantize(exponent, rounding=ROUND_HALF_UP)


def round_money(value: object) -> Decimal:
    return round_half_up(value, MONEY_PLACES)


def round_credits(value: object) -> Decimal:
    return round_half_up(value, CREDIT_PLACES)


def target_for(spend: Decimal, credits_per_100k: Decimal) -> Decimal:
    """Rule 5: the divisor is always 100,000, whatever the year's spend threshold."""
    return round_credits(
        to_decimal(spend) * to_decimal(credits_per_100k) / HUNDRED_THOUSAND
    )
