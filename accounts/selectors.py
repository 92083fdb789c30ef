"""Reads about people and their organisations."""

from django.db.models import QuerySet

from frameworks.models import Member, Supplier


def suppliers_for_user(*, user) -> QuerySet[Supplier]:
    """The suppliers a person reports for (active links to active suppliers)."""
    if not user.is_authenticated:
        return Supplier.objects.none()
    return Supplier.objects.filter(
        contacts__user=user, contacts__is_active=True, is_active=True
    ).distinct()


def members_for_user(*, user) -> QuerySet[Member]:
    if not user.is_authenticated:
        return Member.objects.none()
    return Member.objects.filter(
        viewers__user=user, viewers__is_active=True, is_active=True
    ).distinct()


SESSION_SUPPLIER_KEY = "current_supplier_id"


def current_supplier(*, request) -> Supplier | None:
    """The supplier a contact is working for: the one they switched to in this session,
    else the first of theirs by name. None for someone who is no supplier's contact."""
    suppliers = suppliers_for_user(user=request.user).order_by("name")
    chosen = request.session.get(SESSION_SUPPLIER_KEY)
    if chosen is not None:
        supplier = suppliers.filter(pk=chosen).first()
        if supplier is not None:
            return supplier
    return suppliers.first()
