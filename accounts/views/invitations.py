"""Accepting an invitation: the emailed link, open to anyone who holds it.

A GET never accepts (mail scanners open links): the page says what the invitation is
and asks for a password (new account) or a click (existing account).
"""

from django.contrib import messages
from django.contrib.auth import login, logout
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters

from ..forms import InvitationAcceptForm
from ..services import InvitationProblem, invitation_accept, invitation_for_token
from ..services.invitations import has_account

BACKEND = "allauth.account.auth_backends.AuthenticationBackend"
SIGNED_IN_AS_SOMEONE_ELSE = (
    "You are signed in as {current}, but this invitation is for {email}."
)
ADDED_SIGN_IN = "You have been added to {organisation}. Sign in with your password."
WELCOME = "Your password is set and you are signed in. Welcome to {organisation}."
ADDED = "You have been added to {organisation}."


@never_cache
@sensitive_post_parameters("password1", "password2")
def accept(request: HttpRequest, token: str) -> HttpResponse:
    try:
        invitation = invitation_for_token(token)
    except InvitationProblem as problem:
        return render(
            request,
            "accounts/invitation_problem.html",
            {"problem": problem.code, "message": problem.message},
        )
    person = invitation.user
    existing = has_account(person)
    context = {"invitation": invitation, "existing": existing}
    if request.user.is_authenticated and request.user.email.lower() != (
        invitation.email.lower()
    ):
        context["someone_else"] = SIGNED_IN_AS_SOMEONE_ELSE.format(
            current=request.user.email, email=invitation.email
        )
        return render(request, "accounts/invitation_accept.html", context)
    form = None if existing else InvitationAcceptForm(user=person)
    if request.method == "POST":
        if form is not None:
            form = InvitationAcceptForm(request.POST, user=person)
        if form is None or form.is_valid():
            password = form.cleaned_data["password1"] if form is not None else None
            try:
                invitation = invitation_accept(token=token, password=password)
            except InvitationProblem as problem:
                return render(
                    request,
                    "accounts/invitation_problem.html",
                    {"problem": problem.code, "message": problem.message},
                )
            except ValidationError as error:
                form = form or InvitationAcceptForm(user=person)
                form.add_error(None, error)
            else:
                organisation = invitation.organisation.name
                if existing and not request.user.is_authenticated:
                    messages.success(
                        request, ADDED_SIGN_IN.format(organisation=organisation)
                    )
                    return redirect("account_login")
                if existing:
                    messages.success(request, ADDED.format(organisation=organisation))
                    return redirect("dashboard")
                if not request.user.is_authenticated:
                    login(request, invitation.user, backend=BACKEND)
                messages.success(request, WELCOME.format(organisation=organisation))
                return redirect("dashboard")
    context["form"] = form
    return render(request, "accounts/invitation_accept.html", context)


def sign_out_then_accept(request: HttpRequest, token: str) -> HttpResponse:
    """Signs out whoever is signed in and goes back to the invitation."""
    if request.method == "POST":
        logout(request)
    return redirect("invitation_accept", token=token)
