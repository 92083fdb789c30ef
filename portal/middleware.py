"""Two-factor sign-in for the team and administrators; session renewal on activity."""

import time
from urllib.parse import urlencode

from allauth.mfa.models import Authenticator
from allauth.mfa.utils import is_mfa_enabled
from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse

from accounts.permissions import is_team
from accounts.services.sessions import session_passed_two_factor

SET_UP_TWO_FACTOR = (
    "The social value team must sign in with two-factor authentication. "
    "Set up an authenticator app to continue."
)
GIVE_THE_CODE = (
    "You signed in without a code from your authenticator app. Enter one to continue."
)


def needs_two_factor(user) -> bool:
    return bool(
        user.is_authenticated and (user.is_staff or user.is_superuser or is_team(user))
    )


class TwoFactorRequiredMiddleware:
    """The team and staff pass the two-factor step in every session before any page of
    the portal or the Django admin.

    Someone without an authenticator is sent to set one up. Someone with one, whose
    session has not given a code (it signed in with the password alone, before the
    authenticator was set up in another session), is sent to give one: allauth's
    "confirm it's you" code page records it in the session. Asking only whether the
    person *has* an authenticator would let that session through."""

    # Pages that hold nothing, open to every session.
    OPEN_PREFIXES = ("/static/", "/privacy/", "/accessibility/")
    OPEN_PATHS = ("/",)
    # Setting up an authenticator needs allauth's account pages.
    SET_UP_PREFIX = "/accounts/"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        path = request.path
        if (
            path in self.OPEN_PATHS
            or path.startswith(self.OPEN_PREFIXES)
            or not needs_two_factor(request.user)
        ):
            return self.get_response(request)
        if not is_mfa_enabled(request.user, [Authenticator.Type.TOTP]):
            if path.startswith(self.SET_UP_PREFIX):
                return self.get_response(request)
            messages.warning(request, SET_UP_TWO_FACTOR)
            return redirect(reverse("mfa_activate_totp"))
        if session_passed_two_factor(request):
            return self.get_response(request)
        # Only the code page and signing out: not the two-factor settings, which a
        # password alone must not change.
        code_page = reverse("mfa_reauthenticate")
        if path in (code_page, reverse("account_logout")):
            return self.get_response(request)
        messages.warning(request, GIVE_THE_CODE)
        query = (
            urlencode({"next": request.get_full_path()})
            if request.method == "GET"
            else ""
        )
        return redirect(f"{code_page}?{query}" if query else code_page)


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
