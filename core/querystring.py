"""One parsing layer for every value a page reads from its query string.

A page declares its query values as a `QueryForm` and reads them from `.values`,
never from `request.GET`: every field is optional, and a value that is missing,
malformed, out of range, too long or holds a NUL gives that field's default. Nothing
a visitor types into the address bar reaches the database unparsed (a 40-digit
integer overflowed SQLite and PostgreSQL's bigint; a NUL is refused by PostgreSQL's
text type: both answered 500).
"""

from __future__ import annotations

from typing import Any, ClassVar

from django import forms

MAX_ID = 2**63 - 1  # a 64-bit database key
MAX_PAGE = 1_000_000
SEARCH_MAX_LENGTH = 100


class IdField(forms.IntegerField):
    """A database id: a whole number from 1 to the largest 64-bit key."""

    widget = forms.HiddenInput

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        super().__init__(min_value=1, max_value=MAX_ID, **kwargs)


class PageField(forms.IntegerField):
    """A page number. Out of range pages are the paginator's business (it shows the
    last page); a value past any real page count is simply the default, page 1."""

    widget = forms.HiddenInput

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        super().__init__(min_value=1, max_value=MAX_PAGE, **kwargs)


class SearchField(forms.CharField):
    """Search text: at most `max_length` characters, no NUL (Django's CharField
    refuses it), surrounding spaces stripped."""

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("max_length", SEARCH_MAX_LENGTH)
        super().__init__(**kwargs)


class QueryForm(forms.Form):
    """A page's query-string values. Always bound (to an empty dict when the page was
    opened without any); `values` is every field's cleaned value, or its default
    when the value was missing or invalid. `defaults` maps field names to defaults
    (missing names: None, or "" for text and False for booleans)."""

    defaults: ClassVar[dict[str, Any]] = {}

    def __init__(self, data=None, **kwargs):
        super().__init__(data if data is not None else {}, **kwargs)

    def default_for(self, name: str) -> Any:
        if name in self.defaults:
            return self.defaults[name]
        field = self.fields[name]
        if isinstance(field, forms.BooleanField):
            return False
        if isinstance(field, forms.CharField | forms.ChoiceField) and not isinstance(
            field, forms.ModelChoiceField
        ):
            return ""
        return None

    @property
    def values(self) -> dict[str, Any]:
        if not hasattr(self, "_values"):
            self.is_valid()  # cleaned_data then holds the fields that were valid
            self._values = {
                name: (
                    self.cleaned_data[name]
                    if self.cleaned_data.get(name) not in (None, "")
                    else self.default_for(name)
                )
                for name in self.fields
            }
        return self._values
