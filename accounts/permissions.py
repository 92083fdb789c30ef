"""Who a person is to the portal, written once. Views, selectors and admin call these."""

import rules

from .models import ADMIN_GROUP, TEAM_GROUP


def _group_names(user) -> frozenset[str]:
    # Cached on the user object for the request: every page asks several times.
    cached = getattr(user, "_portal_group_names", None)
    if cached is None:
        cached = frozenset(user.groups.values_list("name", flat=True))
        user._portal_group_names = cached
    return cached


@rules.predicate
def is_administrator(user) -> bool:
    if not user or not user.is_authenticated or not user.is_active:
        return False
    return user.is_superuser or ADMIN_GROUP in _group_names(user)


@rules.predicate
def is_team(user) -> bool:
    """The social value team; administrators can do everything the team does."""
    if not user or not user.is_authenticated or not user.is_active:
        return False
    return is_administrator(user) or TEAM_GROUP in _group_names(user)


def _cached(user, name: str, compute) -> bool:
    # Cached on the user object for the request, as the groups are: the page's
    # access check and the navigation both ask (issue 25's profile: one query a
    # page). `request.user` is loaded afresh by every request.
    cached = getattr(user, name, None)
    if cached is None:
        cached = compute()
        setattr(user, name, cached)
    return cached


@rules.predicate
def is_supplier_contact(user) -> bool:
    if not user or not user.is_authenticated:
        return False
    return _cached(
        user,
        "_portal_is_supplier_contact",
        lambda: user.supplier_contacts.filter(
            is_active=True, supplier__is_active=True
        ).exists(),
    )


@rules.predicate
def is_member_viewer(user) -> bool:
    if not user or not user.is_authenticated:
        return False
    return _cached(
        user,
        "_portal_is_member_viewer",
        lambda: user.member_viewers.filter(
            is_active=True, member__is_active=True
        ).exists(),
    )


rules.add_perm("portal.team", is_team)
rules.add_perm("portal.administer", is_administrator)
rules.add_perm("portal.supply", is_supplier_contact)
rules.add_perm("portal.view_member", is_member_viewer)
