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
