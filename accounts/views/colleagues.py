"""The supplier's colleagues pages under /returns/colleagues/, and switching between
suppliers for a contact of several. Every page works on the contact's current
supplier; ids of anyone else's contacts or invitations give 404."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from returns.views.access import supplier_required

from .. import selectors
from ..forms import ColleagueInvitationForm, NextQuery
from ..services import supplier_switch
from ..services.colleagues import (
    colleague_invitation_withdraw,
    colleague_invite,
    contact_make_primary,
    contact_remove,
)

INVITED = "Invitation sent to {email}. The social value team has been told."
REMOVED = "{name} has been removed. The social value team has been told."
REMOVED_YOURSELF = "You are no longer a contact for {supplier}."
PRIMARY = "{name} is now the primary contact. The social value team has been told."
WITHDRAWN = "The invitation to {email} has been withdrawn."
SWITCHED = "You are now working for {supplier}."


def _current(request: HttpRequest):
    supplier = selectors.current_supplier(request=request)
    if supplier is None:  # supplier_required has checked there is one
        raise Http404
    return supplier


@supplier_required
def colleagues(request: HttpRequest) -> HttpResponse:
    supplier = _current(request)
    return render(
        request,
        "accounts/supplier/colleagues.html",
        {
            "supplier": supplier,
            "contacts": selectors.supplier_colleagues(supplier=supplier),
            "invitations": selectors.supplier_open_invitations(supplier=supplier),
        },
    )


@supplier_required
def invite(request: HttpRequest) -> HttpResponse:
    supplier = _current(request)
    form = ColleagueInvitationForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            invitation = colleague_invite(
                supplier=supplier,
                acting_user=request.user,
                email=data["email"],
                full_name=data["full_name"],
                phone=data["phone"],
            )
        except ValidationError as error:
            form.add_error("email", error)
        else:
            messages.success(request, INVITED.format(email=invitation.email))
            return redirect("supplier:colleagues")
    return render(
        request,
        "accounts/supplier/colleague_invite.html",
        {"form": form, "supplier": supplier},
    )


@supplier_required
def remove(request: HttpRequest, contact_id: int) -> HttpResponse:
    contact = selectors.colleague_get(user=request.user, contact_id=contact_id)
    error = None
    if request.method == "POST":
        try:
            contact_remove(contact=contact, acting_user=request.user)
        except ValidationError as problem:
            error = problem.message
        else:
            if contact.user_id == request.user.pk:
                messages.success(
                    request, REMOVED_YOURSELF.format(supplier=contact.supplier.name)
                )
                return redirect("dashboard")
            messages.success(request, REMOVED.format(name=contact.user.get_full_name()))
            return redirect("supplier:colleagues")
    return render(
        request,
        "accounts/supplier/colleague_remove.html",
        {"contact": contact, "error": error, "supplier": contact.supplier},
        status=400 if error else 200,
    )


@supplier_required
@require_POST
def make_primary(request: HttpRequest, contact_id: int) -> HttpResponse:
    contact = selectors.colleague_get(user=request.user, contact_id=contact_id)
    try:
        contact_make_primary(contact=contact, acting_user=request.user)
    except ValidationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, PRIMARY.format(name=contact.user.get_full_name()))
    return redirect("supplier:colleagues")


@supplier_required
@require_POST
def withdraw_invitation(request: HttpRequest, invitation_id: int) -> HttpResponse:
    invitation = selectors.supplier_invitation_get(
        user=request.user, invitation_id=invitation_id
    )
    try:
        colleague_invitation_withdraw(invitation=invitation, acting_user=request.user)
    except ValidationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, WITHDRAWN.format(email=invitation.email))
    return redirect("supplier:colleagues")


@supplier_required
def switch(request: HttpRequest) -> HttpResponse:
    """Chooses which of their suppliers a contact of several is working for."""
    suppliers = selectors.suppliers_for_user(user=request.user).order_by("name")
    next_url = NextQuery(
        request.POST if request.method == "POST" else request.GET
    ).values["next"]
    if not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        next_url = ""
    if request.method == "POST":
        try:
            supplier_id = int(request.POST.get("supplier", ""))
        except ValueError:
            supplier_id = None
        if supplier_id is not None:
            supplier_switch(request=request, supplier_id=supplier_id)  # 404 if not
            chosen = suppliers.get(pk=supplier_id)
            messages.success(request, SWITCHED.format(supplier=chosen.name))
            return redirect(next_url or "supplier:home")
    return render(
        request,
        "accounts/supplier/switch.html",
        {
            "suppliers": suppliers,
            "current": selectors.current_supplier(request=request),
            "next": next_url,
        },
    )
