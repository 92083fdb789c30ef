"""Pages of the portal itself: home, the landing redirect per role, privacy and
accessibility statements."""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from accounts.permissions import is_member_viewer, is_supplier_contact, is_team


def home(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/home.html")


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    """Each kind of user lands on a page of their own."""
    user = request.user
    if is_team(user):
        return redirect("team:home")
    if is_supplier_contact(user):
        return redirect("supplier:home")
    if is_member_viewer(user):
        return redirect("member:home")
    return render(request, "portal/no_organisation.html")


def privacy(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/privacy.html")


def accessibility(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/accessibility.html")


def not_found(request: HttpRequest) -> HttpResponse:
    raise Http404
