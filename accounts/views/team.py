"""The team's people pages under /team/people/: invitations (one at a time or in
bulk), resend and withdraw, and the changes suppliers made to their own contacts."""

import uuid

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from returns.views.access import team_required

from .. import selectors
from ..forms import BulkInvitationForm, BulkQuery, PeopleQuery, TeamInvitationForm
from ..models import Invitation
from ..services import invitation_create, invitation_send, invitation_withdraw
from ..tasks import send_invitations_bulk

PAGE_SIZE = 50
BULK_PAGE_SIZE = 100
INVITED = "Invitation sent to {email}."
RESENT = "A new invitation has been sent to {email}. The old link no longer works."
WITHDRAWN = "The invitation to {email} has been withdrawn."
BULK_QUEUED = "Sending {count} invitation{plural}. Refresh this page to see them."
EVERYONE_QUEUED = "Sending invitations to everyone not yet invited."


@team_required
def people(request: HttpRequest) -> HttpResponse:
    values = PeopleQuery(request.GET).values
    state = values["show"]
    invitations = selectors.invitations_for_team(state=state)
    query = values["q"]
    if query:
        invitations = invitations.filter(
            Q(email__icontains=query)
            | Q(full_name__icontains=query)
            | Q(supplier__name__icontains=query)
            | Q(supplier__reference__iexact=query)
            | Q(member__name__icontains=query)
            | Q(member__reference__iexact=query)
        )
    page_obj = Paginator(invitations, PAGE_SIZE).get_page(values["page"])
    return render(
        request,
        "accounts/team/people.html",
        {
            "page_obj": page_obj,
            "invitations": page_obj.object_list,
            "state": state,
            "query": query,
            "not_invited_count": selectors.contacts_without_account()
            .filter(sent_invitation=False)
            .count(),
            "recent_changes": selectors.recent_contact_changes(limit=15),
        },
    )


@team_required
def invite(request: HttpRequest) -> HttpResponse:
    form = TeamInvitationForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            invitation = invitation_create(
                email=data["email"],
                supplier=data.get("supplier"),
                member=data.get("member"),
                full_name=data["full_name"],
                phone=data["phone"],
                is_primary=bool(data.get("supplier") and data["is_primary"]),
                invited_by=request.user,
            )
        except ValidationError as error:
            form.add_error("email", error)
        else:
            messages.success(request, INVITED.format(email=invitation.email))
            return redirect("team:people")
    return render(request, "accounts/team/invite.html", {"form": form})


@team_required
def bulk(request: HttpRequest) -> HttpResponse:
    """Contacts who cannot sign in yet (imported, or invited and not accepted): tick
    some and send, or send to everyone not yet invited. The sending is a task."""
    contacts = selectors.contacts_without_account().order_by(
        "supplier__name", "user__email"
    )
    values = BulkQuery(request.GET).values
    query = values["q"]
    if query:
        contacts = contacts.filter(
            Q(supplier__name__icontains=query)
            | Q(supplier__reference__iexact=query)
            | Q(user__email__icontains=query)
        )
    page_obj = Paginator(contacts, BULK_PAGE_SIZE).get_page(values["page"])
    form = BulkInvitationForm(
        request.POST if request.method == "POST" else None,
        contact_ids=[c.pk for c in page_obj.object_list],
    )
    if request.method == "POST" and form.is_valid():
        everyone = form.cleaned_data["everyone"]
        contact_ids = None if everyone else form.cleaned_data["contacts"]
        send_invitations_bulk.delay_on_commit(
            contact_ids=contact_ids,
            everyone_not_invited=everyone,
            invited_by_id=request.user.pk,
            batch_key=uuid.uuid4().hex,
        )
        if everyone:
            messages.success(request, EVERYONE_QUEUED)
        else:
            count = len(contact_ids)
            messages.success(
                request,
                BULK_QUEUED.format(count=count, plural="" if count == 1 else "s"),
            )
        return redirect("team:people")
    return render(
        request,
        "accounts/team/bulk.html",
        {
            "form": form,
            "page_obj": page_obj,
            "contacts": page_obj.object_list,
            "query": query,
            "now": timezone.now(),
            "not_invited_count": selectors.contacts_without_account()
            .filter(sent_invitation=False)
            .count(),
        },
    )


def _open_invitation(invitation_id: int) -> Invitation:
    return get_object_or_404(Invitation, pk=invitation_id)


@team_required
@require_POST
def resend(request: HttpRequest, invitation_id: int) -> HttpResponse:
    invitation = _open_invitation(invitation_id)
    try:
        invitation_send(invitation=invitation, acting_user=request.user)
    except ValidationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, RESENT.format(email=invitation.email))
    return redirect("team:people")


@team_required
@require_POST
def withdraw(request: HttpRequest, invitation_id: int) -> HttpResponse:
    invitation = _open_invitation(invitation_id)
    try:
        invitation_withdraw(invitation=invitation, acting_user=request.user)
    except ValidationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, WITHDRAWN.format(email=invitation.email))
    return redirect("team:people")
