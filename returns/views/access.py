"""Decorators that admit a role; object scoping is the selectors' job."""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied

from accounts.permissions import (
    is_administrator,
    is_member_viewer,
    is_supplier_contact,
    is_team,
)


def _role_required(predicate):
    def decorator(view):
        @wraps(view)
        @login_required
        def wrapped(request, *args, **kwargs):
            if not predicate(request.user):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


team_required = _role_required(is_team)
supplier_required = _role_required(is_supplier_contact)
member_required = _role_required(is_member_viewer)
administrator_required = _role_required(is_administrator)
# The supplier's return pages, which the team also uses to act for a supplier.
supplier_or_team_required = _role_required(is_supplier_contact | is_team)
