"""Reads of the support app: the team's contact details (cached: every page's
footer shows them), a supplier's requests scoped to who asks, and the team's list."""

from dataclasses import dataclass

from django.conf import settings
from django.db.models import Count, Min, Q, QuerySet
from django.shortcuts import get_object_or_404

from frameworks.models import Contract
from returns.models import AnnualReturn

from .models import SupportRequest, TeamContact


@dataclass(frozen=True)
class Contact:
    name: str
    email: str
    phone: str
    hours: str


def team_contact() -> Contact:
    """The team's contact details as an administrator set them (or, until then, the
    team's address from settings). One small query, on every page (the footer):
    not cached, so every process shows a change at once and every page costs the
    same number of queries whether or not a cache is warm."""
    row = (
        TeamContact.objects.filter(key="team")
        .only("name", "email", "phone", "hours")
        .first()
    )
    if row is None:
        return Contact("Social value team", settings.PORTAL_TEAM_EMAIL, "", "")
    return Contact(row.name, row.email, row.phone, row.hours)


def _requests() -> QuerySet[SupportRequest]:
    return SupportRequest.objects.select_related(
        "annual_return__supplier",
        "annual_return__year",
        "line__contract",
        "raised_by",
        "decided_by",
        "member",
        "added_line__contract",
    )


def supplier_requests_for_return(
    *, user, annual_return: AnnualReturn
) -> list[SupportRequest]:
    """The requests on a return, newest first, for a contact of its supplier (the
    view has already found the return through the contact's scope)."""
    return list(
        _requests()
        .filter(
            annual_return=annual_return,
            annual_return__supplier__contacts__user=user,
            annual_return__supplier__contacts__is_active=True,
        )
        .order_by("-raised_at", "-pk")
    )


def supplier_request_get(*, user, reference: str, pk: int) -> SupportRequest:
    """One request on a return of the contact's own suppliers, or 404."""
    return get_object_or_404(
        _requests().filter(
            annual_return__supplier__contacts__user=user,
            annual_return__supplier__contacts__is_active=True,
            annual_return__supplier__is_active=True,
            annual_return__reference=reference,
        ),
        pk=pk,
    )


def team_requests(*, show: str = "open") -> QuerySet[SupportRequest]:
    """The team's list: open requests oldest first, or every decided one newest
    first."""
    if show == "decided":
        return (
            _requests()
            .exclude(status=SupportRequest.Status.OPEN)
            .order_by("-decided_at", "-pk")
        )
    return (
        _requests()
        .filter(status=SupportRequest.Status.OPEN)
        .order_by("raised_at", "pk")
    )


def return_requests_for_team(*, annual_return: AnnualReturn) -> list[SupportRequest]:
    return list(_requests().filter(annual_return=annual_return).order_by("-raised_at"))


def team_request_get(*, pk: int) -> SupportRequest:
    return get_object_or_404(_requests(), pk=pk)


def contract_named_by(support_request: SupportRequest):
    """For a missing contract: the contract in the reference data with the
    reference the supplier gave, if there is one (with its supplier and lot), so
    the team sees at once whether it can be added."""
    if support_request.kind != SupportRequest.Kind.MISSING_CONTRACT:
        return None
    return (
        Contract.objects.select_related("supplier", "lot__framework", "member")
        .filter(reference=support_request.contract_reference)
        .first()
    )


def open_requests_summary() -> dict:
    """The desk's figure, in one query: open requests (as `team_requests` lists
    them), how many ask for a call back, and when the oldest was made."""
    return SupportRequest.objects.filter(status=SupportRequest.Status.OPEN).aggregate(
        count=Count("id"),
        call_me=Count("id", filter=Q(call_me=True)),
        oldest=Min("raised_at"),
    )
