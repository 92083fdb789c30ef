"""The Django admin's site, with a guard against hostile values in its URLs.

The admin's pages are Django's and django-simple-history's, so they cannot take our
query forms; the guard sits where every admin view passes (`AdminSite.admin_view`):

- an object id that is not a key of the model (letters for a numeric key, more than
  64 bits, a NUL) is "not found", before any query (simple-history's history page
  sent it to the database: 500);
- a query value holding a NUL, or a run of digits past 64 bits, gets the admin's own
  answer to a bad filter (`?e=1`, "the filters are wrong"), instead of reaching the
  database (PostgreSQL refuses NUL in text; both refuse such integers: 500).
"""

from __future__ import annotations

import re
from functools import wraps

from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.contrib.admin.views.main import ERROR_FLAG
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponseRedirect

BIGINT = 2**63
TOO_MANY_DIGITS = re.compile(r"^[+-]?\d{19,}$")


def query_value_is_hostile(value: str) -> bool:
    return "\x00" in value or bool(TOO_MANY_DIGITS.match(value.strip()))


def object_id_is_key(model, object_id: str) -> bool:
    """Whether `object_id` (as the admin's URL holds it) can be a key of `model`."""
    raw = unquote(object_id)
    if "\x00" in raw:
        return False
    try:
        value = model._meta.pk.to_python(raw)
    except (ValidationError, ValueError, TypeError, OverflowError):
        return False
    return not isinstance(value, int) or -BIGINT <= value < BIGINT


class PortalAdminSite(admin.AdminSite):
    def admin_view(self, view, cacheable=False):
        inner = super().admin_view(view, cacheable)
        model_admin = getattr(view, "__self__", None)
        model = getattr(model_admin, "model", None)

        @wraps(inner)
        def guarded(request, *args, **kwargs):
            object_id = kwargs.get("object_id")
            if (
                model is not None
                and object_id is not None
                and not object_id_is_key(model, object_id)
            ):
                raise Http404("No such object")
            for values in request.GET.lists():
                if any(query_value_is_hostile(value) for value in values[1]):
                    if request.GET.get(ERROR_FLAG) is None:
                        return HttpResponseRedirect(f"{request.path}?{ERROR_FLAG}=1")
                    raise Http404("No such page")
            return inner(request, *args, **kwargs)

        return guarded
