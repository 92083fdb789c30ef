"""The API's parsing layer for query values: the filters by year, member, framework
and supplier. Unlike a page, which falls back to its default, the API refuses a value
it cannot read with a 400 problem saying which (a BI tool should not silently get
every contract because of a typo)."""

from __future__ import annotations

from django import forms
from rest_framework.exceptions import ValidationError

from core.querystring import IdField

YEAR_SLUG = r"^[0-9]{4}-[0-9]{2}$"
FILTERS = ("year", "member", "framework", "supplier")


class ApiFilterForm(forms.Form):
    year = forms.RegexField(
        regex=YEAR_SLUG,
        required=False,
        max_length=7,
        error_messages={"invalid": "Give a reporting year as 2024-25."},
    )
    member = IdField()
    framework = IdField()
    supplier = IdField()

    def __init__(self, data, *, years, allowed=FILTERS):
        super().__init__(data)
        self.years = years
        for name in set(FILTERS) - set(allowed):
            del self.fields[name]

    def clean_year(self):
        slug = self.cleaned_data.get("year")
        if not slug:
            return None
        year = self.years.filter(label=slug.replace("-", "/", 1)).first()
        if year is None:
            raise forms.ValidationError(f"There is no reporting year {slug}.")
        return year


def parse_filters(request, *, years, allowed=FILTERS) -> dict:
    """The request's filters, parsed; a ValidationError (400) naming each bad one."""
    form = ApiFilterForm(request.query_params, years=years, allowed=allowed)
    if not form.is_valid():
        raise ValidationError(
            {name: [str(e) for e in errors] for name, errors in form.errors.items()}
        )
    return {name: value for name, value in form.cleaned_data.items() if value}
