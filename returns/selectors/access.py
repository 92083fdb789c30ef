"""Returns and lines scoped to who asks: anything that depends on the user takes
`user=` and returns only what that user may see."""

from django.db.models import Count, QuerySet
from django.shortcuts import get_object_or_404

from accounts.permissions import is_team
from core.fields import rounded_sum
from returns.models import AnnualReturn, ReturnLine


def returns_visible_to(*, user) -> QuerySet[AnnualReturn]:
    """The team sees every return; a contact sees their suppliers' returns."""
    qs = AnnualReturn.objects.select_related("supplier", "year")
    if is_team(user):
        return qs
    return qs.filter(
        supplier__contacts__user=user,
        supplier__contacts__is_active=True,
        supplier__is_active=True,
    )


def supplier_returns_for_user(*, user) -> QuerySet[AnnualReturn]:
    """A contact's own returns with line counts and totals, newest year first."""
    return (
        AnnualReturn.objects.filter(
            supplier__contacts__user=user,
            supplier__contacts__is_active=True,
            supplier__is_active=True,
        )
        .select_related("supplier", "year")
        .annotate(
            line_count=Count("lines"),
            target_total=rounded_sum("lines__target_credits"),
            delivered_total=rounded_sum("lines__delivered_credits"),
        )
        .order_by("-year__starts_on", "supplier__name")
    )


def supplier_return_get(*, user, reference: str) -> AnnualReturn:
    """One return a contact may see, or 404: another supplier's return is not found."""
    return get_object_or_404(
        AnnualReturn.objects.filter(
            supplier__contacts__user=user,
            supplier__contacts__is_active=True,
            supplier__is_active=True,
        ).select_related("supplier", "year"),
        reference=reference,
    )


def return_lines(*, annual_return: AnnualReturn) -> QuerySet[ReturnLine]:
    return (
        ReturnLine.objects.filter(annual_return=annual_return)
        .select_related("contract", "member", "lot__framework")
        .order_by("contract__reference")
    )


def member_lines_for_user(*, user) -> QuerySet[ReturnLine]:
    """Lines on approved returns of the members a viewer follows."""
    return (
        ReturnLine.objects.filter(
            member__viewers__user=user,
            member__viewers__is_active=True,
            annual_return__status=AnnualReturn.Status.APPROVED,
            excluded_at__isnull=True,
        )
        .select_related(
            "annual_return__year", "annual_return__supplier", "contract", "member"
        )
        .order_by("-annual_return__year__starts_on", "contract__reference")
    )
