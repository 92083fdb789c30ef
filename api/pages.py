"""Pages of the API app: the person's API tokens (create, shown once; revoke), the
API's documentation (Swagger UI from vendored files), and the team's extracts."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import F
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from accounts.permissions import is_member_viewer, is_supplier_contact, is_team
from accounts.services.sessions import session_passed_two_factor
from frameworks.models import Member
from returns.views.access import team_required

from .forms import ExtractSwitchForm, TokenCreateForm
from .models import ApiToken, ScheduledExtract
from .services import extract_set, token_create, token_revoke

TOKEN_REVOKED = "The token {name} is revoked: it no longer works."
TEAM_TOKEN_NEEDS_TWO_FACTOR = (
    "Give a code from your authenticator app in this session before you create "
    "a team token."
)


def _may_hold_tokens(user) -> bool:
    return bool(is_team(user) or is_member_viewer(user) or is_supplier_contact(user))


def _tokens_page(request, form, *, secret=None, created=None, status=200):
    tokens = (
        ApiToken.objects.filter(user=request.user)
        .select_related("member", "supplier")
        # Working tokens first (NULLs sort differently on SQLite and PostgreSQL).
        .order_by(F("revoked_at").asc(nulls_first=True), "-created_at")
    )
    return render(
        request,
        "api/tokens.html",
        {
            "form": form,
            "tokens": tokens,
            "secret": secret,
            "created": created,
            "is_team": is_team(request.user),
        },
        status=status,
    )


@login_required
def tokens(request: HttpRequest) -> HttpResponse:
    """The person's tokens; creating one shows its secret on this answer only."""
    if not _may_hold_tokens(request.user):
        raise PermissionDenied
    if request.method == "POST":
        form = TokenCreateForm(request.POST, user=request.user)
        if form.is_valid():
            scope = form.scope()
            # The middleware already asks the team for a code in every session;
            # a team token is never made from a session that has not given one.
            if scope["scope"] == ApiToken.Scope.TEAM and not session_passed_two_factor(
                request
            ):
                raise PermissionDenied(TEAM_TOKEN_NEEDS_TWO_FACTOR)
            token, secret = token_create(
                user=request.user,
                name=form.cleaned_data["name"],
                expires_in_days=form.cleaned_data["expires_in_days"],
                **scope,
            )
            response = _tokens_page(
                request,
                TokenCreateForm(user=request.user),
                secret=secret,
                created=token,
            )
            response["Cache-Control"] = "no-store"
            return response
        return _tokens_page(request, form, status=400)
    return _tokens_page(request, TokenCreateForm(user=request.user))


@login_required
@require_POST
def token_revoke_view(request: HttpRequest, token_id: int) -> HttpResponse:
    token = token_revoke(user=request.user, token_id=token_id)
    messages.success(request, TOKEN_REVOKED.format(name=token.name))
    return redirect("api_pages:tokens")


def docs(request: HttpRequest) -> HttpResponse:
    """Swagger UI over the OpenAPI schema, from files in static/ (no inline script:
    the portal's CSP allows scripts from itself only)."""
    return render(request, "api/docs.html")


@team_required
def extracts(request: HttpRequest) -> HttpResponse:
    """The team's list of members who get a monthly CSV, and the switch."""
    if request.method == "POST":
        form = ExtractSwitchForm(request.POST)
        if not form.is_valid():
            raise Http404
        member = get_object_or_404(Member, pk=form.cleaned_data["member"])
        active = form.cleaned_data["active"]
        extract_set(member=member, active=active, acting_user=request.user)
        messages.success(
            request,
            f"{member.name} {'will get' if active else 'will no longer get'} "
            "a monthly extract.",
        )
        return redirect("api_pages:extracts")
    extracts_by_member = {
        extract.member_id: extract
        for extract in ScheduledExtract.objects.prefetch_related("files")
    }
    members = Member.objects.filter(is_active=True).order_by("name")
    return render(
        request,
        "api/extracts.html",
        {
            "rows": [(member, extracts_by_member.get(member.pk)) for member in members],
        },
    )
