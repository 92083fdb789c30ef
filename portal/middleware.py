"""Two-factor sign-in for the team and administrators; session renewal on activity."""

import time

from allauth.mfa.models import Authenticator
from allauth.mfa.utils import is_mfa_enabled
from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse

from accounts.permissions import is_team

SET_UP_TWO_FACTOR = (
    "The social value team must sign in with two-factor authentication. "
    "Set up an authenticator app to continue."
)


def needs_two_factor(user) -> bool:
    return bool(
        user.is_authenticated and (user.is_staff or user.is_superuser or is_team(user))
    )


class TwoFactorRequiredMiddleware:
    """Sends team members and staff without an authenticator to set one up before any
    page of the portal or the Django admin. allauth itself asks for the code at
    every sign-in once an authenticator exists."""

    # Pages that must stay reachable to set up two-factor, or that hold nothing.
    OPEN_PREFIXES = ("/accounts/", "/static/", "/privacy/", "/accessibility/")
    OPEN_PATHS = ("/",)

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        path = request.path
        if (
            path not in self.OPEN_PATHS
            and not path.startswith(self.OPEN_PREFIXES)
            and needs_two_factor(request.user)
            and not is_mfa_enabled(request.user, [Authenticator.Type.TOTP])
        ):
            messages.warning(request, SET_UP_TWO_FACTOR)
            return redirect(reverse("mfa_activate_totp"))
        return self.get_response(request)


class SessionActivityMiddleware:
    """Renews a session's inactivity limit (SESSION_COOKIE_AGE from the last request)
    at most once a minute. Django's SESSION_SAVE_EVERY_REQUEST would write the session
    row on every request, three statements on every page; renewing once a minute keeps
    the two-hour limit to within a minute."""

    RENEW_AFTER_SECONDS = 60
    KEY = "_renewed_at"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        session = getattr(request, "session", None)
        if session is not None and session.session_key and not session.is_empty():
            now = int(time.time())
            if now - session.get(self.KEY, 0) >= self.RENEW_AFTER_SECONDS:
                session[self.KEY] = now  # modified: SessionMiddleware saves it
        return response


def stamp_session_at_sign_in(sender, request, user, **kwargs) -> None:
    """Signing in saves the session anyway: stamping it then means the first pages
    after signing in do not write it again."""
    if request is not None and hasattr(request, "session"):
        request.session[SessionActivityMiddleware.KEY] = int(time.time())
