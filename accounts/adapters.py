"""allauth adapter: who may sign up (only by invitation), and when setting up
two-factor needs the password again."""

import datetime
import time

from allauth.account import app_settings as account_settings
from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.authentication import get_authentication_records
from allauth.core import context
from allauth.mfa.models import Authenticator
from django.utils import timezone


def signed_in_with_password_moments_ago(request) -> bool:
    """This session gave the password within allauth's reauthentication window."""
    if request is None or not request.user.is_authenticated:
        return False
    window = account_settings.REAUTHENTICATION_TIMEOUT
    return any(
        record.get("method") == "password"
        and time.time() - record.get("at", 0) < window
        for record in get_authentication_records(request, request.user)
    )


# The pages of setting up a first authenticator: turning it off or making new
# recovery codes always asks for the password again.
FIRST_SET_UP_PAGES = ("mfa_activate_totp", "mfa_view_recovery_codes")


class PortalAccountAdapter(DefaultAccountAdapter):
    """People are invited or created by the team; nobody signs themselves up."""

    def is_open_for_signup(self, request) -> bool:
        return False

    def is_reauthentication_required(self, *, app: str, **kwargs) -> bool:
        """Setting up a first authenticator straight after signing in with the
        password (and seeing its recovery codes) does not ask for the password
        again: the team are sent there by the two-factor middleware at once. Any
        other change to two-factor, or one made later, still does."""
        required = super().is_reauthentication_required(app=app, **kwargs)
        if not required or app != "allauth.mfa":
            return required
        request = self.request or getattr(context, "request", None)
        if request is None or not request.user.is_authenticated:
            return required
        match = getattr(request, "resolver_match", None)
        if match is None or match.url_name not in FIRST_SET_UP_PAGES:
            return required
        if not signed_in_with_password_moments_ago(request):
            return True
        window = account_settings.REAUTHENTICATION_TIMEOUT
        older = Authenticator.objects.filter(
            user=request.user,
            created_at__lt=timezone.now() - datetime.timedelta(seconds=window),
        )
        return older.exists()
