"""Writes about people and their organisations."""

from django.http import Http404

from ..selectors import (
    SESSION_MEMBER_KEY,
    SESSION_SUPPLIER_KEY,
    members_for_user,
    suppliers_for_user,
)


def supplier_switch(*, request, supplier_id: int) -> None:
    """Remembers which of their suppliers a contact is working for; 404 for any other."""
    if not suppliers_for_user(user=request.user).filter(pk=supplier_id).exists():
        raise Http404
    request.session[SESSION_SUPPLIER_KEY] = supplier_id


def member_switch(*, request, member_id: int) -> None:
    """Remembers which of their members a viewer is looking at; 404 for any other."""
    if not members_for_user(user=request.user).filter(pk=member_id).exists():
        raise Http404
    request.session[SESSION_MEMBER_KEY] = member_id
