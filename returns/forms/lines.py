"""Forms for the supplier's line and check-answers pages: the shape of the input only.

The rules (decimals, "part of", dates against the contract) are `line_save`'s; its
errors come back onto these forms through `add_service_errors`.
"""

from __future__ import annotations

import datetime

from django import forms
from django.core.exceptions import ValidationError

from returns.models import REASON_MAX_LENGTH
from returns.services.line_rules import text_too_long

NOTHING_DELIVERED_NO_REASON = "Say why nothing was delivered on this contract this year"
# A date with a part missing names the part (GOV.UK date input pattern).
DATE_MISSING_PART = "Enter the {parts}"
DATE_NOT_REAL = "Enter a real date, like 31 3 2027"
DECLARATION_NAME = "Enter your full name to make the declaration"

TEXT_LIMIT = REASON_MAX_LENGTH


def _reason_field(name: str) -> forms.CharField:
    # The service's words: the spreadsheet and the import refuse the same text so.
    return forms.CharField(
        required=False,
        max_length=TEXT_LIMIT,
        widget=forms.Textarea,
        error_messages={"max_length": text_too_long(name)},
    )


def quantity_field_name(code: str) -> str:
    return f"q_{code}"


class LineForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    nothing_delivered = forms.BooleanField(required=False)
    nothing_delivered_reason = _reason_field("nothing_delivered_reason")
    shortfall_reason = _reason_field("shortfall_reason")
    recovery_plan = _reason_field("recovery_plan")
    recovery_by_day = forms.CharField(required=False, max_length=2)
    recovery_by_month = forms.CharField(required=False, max_length=2)
    recovery_by_year = forms.CharField(required=False, max_length=4)

    def __init__(self, *args, codes: list[str], ended: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.codes = codes
        self.ended = ended
        # The parts of the recovery date to mark as wrong ("day", "month", "year").
        self.date_error_parts: tuple[str, ...] = ()
        quantity_fields = {
            quantity_field_name(code): forms.CharField(required=False, max_length=30)
            for code in codes
        }
        # Quantities first: the error summary lists errors in page order.
        self.fields = {**quantity_fields, **self.fields}

    @classmethod
    def initial_for(cls, line, rows) -> dict:
        initial = {
            "version": line.version,
            "nothing_delivered": bool(line.nothing_delivered_reason),
            "nothing_delivered_reason": line.nothing_delivered_reason,
            "shortfall_reason": line.shortfall_reason,
            "recovery_plan": line.recovery_plan,
        }
        if line.recovery_by:
            initial["recovery_by_day"] = line.recovery_by.day
            initial["recovery_by_month"] = line.recovery_by.month
            initial["recovery_by_year"] = line.recovery_by.year
        for row in rows:
            if row.quantity is not None:
                places = row.measure.decimal_places
                initial[quantity_field_name(row.measure.code)] = (
                    f"{row.quantity:.{places}f}"
                )
        return initial

    def clean(self):
        data = super().clean()
        if data.get("nothing_delivered"):
            if not (data.get("nothing_delivered_reason") or "").strip():
                self.add_error("nothing_delivered_reason", NOTHING_DELIVERED_NO_REASON)
        else:
            data["nothing_delivered_reason"] = ""
        data["recovery_by"] = None
        if not self.ended:
            names = ("day", "month", "year")
            parts = [(data.get(f"recovery_by_{part}") or "").strip() for part in names]
            if any(parts):
                if not all(parts):
                    missing = [
                        name
                        for name, part in zip(names, parts, strict=True)
                        if not part
                    ]
                    self.date_error_parts = tuple(missing)
                    self.add_error(
                        "recovery_by_day",
                        DATE_MISSING_PART.format(parts=" and ".join(missing)),
                    )
                else:
                    try:
                        day, month, year = (int(p) for p in parts)
                        if year < 1000:
                            raise ValueError
                        data["recovery_by"] = datetime.date(year, month, day)
                    except ValueError:
                        self.date_error_parts = names
                        self.add_error("recovery_by_day", DATE_NOT_REAL)
        return data

    def quantities(self) -> dict[str, str]:
        return {
            code: self.cleaned_data.get(quantity_field_name(code), "")
            for code in self.codes
        }

    def add_service_errors(self, error: ValidationError) -> None:
        """Puts `line_save`'s errors (keyed by measure code or field) on the fields."""
        mapping = {
            "recovery_by": "recovery_by_day",
            "nothing_delivered_reason": "nothing_delivered",
        }
        for key, messages in error.message_dict.items():
            if key == "recovery_by":
                self.date_error_parts = ("day", "month", "year")
            if key in self.codes:
                name = quantity_field_name(key)
            else:
                name = mapping.get(key, key)
            if name not in self.fields:
                name = None
            for message in messages:
                self.add_error(name, message)


class DeclarationForm(forms.Form):
    # Checked by `return_submit` (issue 23's declaration); here for the page.
    declared_own_figures = forms.BooleanField(required=False)
    declared_by_name = forms.CharField(
        max_length=200,
        error_messages={"required": DECLARATION_NAME},
        label="Your full name",
    )
