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
