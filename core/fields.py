"""Decimal fields that round half-up through core.numbers before any write.

Services round with the helpers themselves; these fields are the safety net that keeps
Django's own half-even quantize (in `adapt_decimalfield_value`) from ever deciding.
"""

from django.db import models

from core.numbers import round_half_up


class HalfUpDecimalField(models.DecimalField):
    def get_db_prep_save(self, value, connection):
        if value is not None and not hasattr(value, "resolve_expression"):
            value = round_half_up(self.to_python(value), self.decimal_places)
        return super().get_db_prep_save(value, connection)


class MoneyField(HalfUpDecimalField):
    """Pounds excluding VAT."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_digits", 14)
        kwargs.setdefault("decimal_places", 2)
        super().__init__(*args, **kwargs)


class CreditsField(HalfUpDecimalField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_digits", 12)
        kwargs.setdefault("decimal_places", 2)
        super().__init__(*args, **kwargs)


class QuantityField(HalfUpDecimalField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_digits", 14)
        kwargs.setdefault("decimal_places", 2)
        super().__init__(*args, **kwargs)


class RateField(HalfUpDecimalField):
    """Credits per unit: six places, because a pound of local spend is 0.0001."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_digits", 12)
        kwargs.setdefault("decimal_places", 6)
        super().__init__(*args, **kwargs)


class SummedDecimalField(models.DecimalField):
    """The output field of a database sum: read back rounded half-up to its places.

    On SQLite a SUM is a float, which Django hands back as a Decimal of 15 digits
    (`Decimal('257.710000000000')`) even through `Round(..., 2)`; a template shows it
    as it is. Reading every sum through this field gives the same Decimal on both
    databases (`Decimal('257.71')`), so no page, CSV or workbook sees the float.
    """

    def from_db_value(self, value, expression, connection):
        if value is None:
            return value
        return round_half_up(value, self.decimal_places)


def rounded_sum(expression, *, places: int = 2, max_digits: int = 16, **extra):
    """`Round(Coalesce(Sum(expression), 0), places)`, read back as a Decimal with
    exactly `places` places (see `SummedDecimalField`): the one way a sum of money,
    credits or quantities leaves the database. `extra` goes to `Sum` (`filter=`)."""
    from django.db.models import Sum, Value
    from django.db.models.functions import Coalesce, Round

    field = SummedDecimalField(max_digits=max_digits, decimal_places=places)
    return Round(
        Coalesce(Sum(expression, **extra), Value(0), output_field=field),
        places,
        output_field=field,
    )
