"""How the API knows who asks: bearer tokens, the token's scope as permissions, and
the per-token rate limit. Kept apart from `api.rest` (which imports DRF's views):
DRF imports these classes while it loads its own settings."""

from __future__ import annotations

import time

from django.conf import settings
from django.core.cache import cache
from rest_framework import exceptions, permissions, throttling
from rest_framework.authentication import BaseAuthentication, get_authorization_header

from .models import ApiToken
from .services import token_for_secret

# One answer for every token that does not work, whatever the reason: an unknown,
# revoked or expired token, or one whose person lost the link it was made for.
TOKEN_REFUSED = "The token is not valid. Create a new one on your API tokens page."
TOKEN_MISSING = "Send your API token as 'Authorization: Bearer <token>'."
TEAM_ONLY = "Only the social value team's tokens may read this."


class BearerTokenAuthentication(BaseAuthentication):
    keyword = b"bearer"

    def authenticate(self, request):
        header = get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword:
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(TOKEN_REFUSED)
        try:
            secret = header[1].decode("ascii")
        except UnicodeDecodeError:
            raise exceptions.AuthenticationFailed(TOKEN_REFUSED) from None
        token = token_for_secret(secret)
        if token is None:
            raise exceptions.AuthenticationFailed(TOKEN_REFUSED)
        return token.user, token

    def authenticate_header(self, request) -> str:
        # Makes DRF answer 401 (with this challenge) rather than 403 without a token.
        return 'Bearer realm="api"'


def token_of(request) -> ApiToken | None:
    # The attribute DRF sets once it has authenticated: asking `request.auth` again
    # would authenticate again.
    auth = getattr(request, "_auth", None)
    return auth if isinstance(auth, ApiToken) else None


class HasToken(permissions.BasePermission):
    message = TOKEN_MISSING

    def has_permission(self, request, view) -> bool:
        if token_of(request) is None:
            raise exceptions.NotAuthenticated(TOKEN_MISSING)
        return True


class TeamToken(HasToken):
    message = TEAM_ONLY

    def has_permission(self, request, view) -> bool:
        super().has_permission(request, view)
        return token_of(request).scope == ApiToken.Scope.TEAM


class TokenRateThrottle(throttling.BaseThrottle):
    """A fixed window per token (`API_RATE_LIMIT_PER_MINUTE` requests a minute),
    counted in the shared cache so every process counts together (Redis in
    production). Requests without a token are not counted here: the only such
    resources are the published report's figures, which are public anyway."""

    window_seconds = 60

    def allow_request(self, request, view) -> bool:
        token = token_of(request)
        if token is None:
            return True
        now = time.time()
        window = int(now // self.window_seconds)
        key = f"api-rate:{token.pk}:{window}"
        cache.add(key, 0, timeout=self.window_seconds * 2)
        try:
            count = cache.incr(key)
        except ValueError:  # the key expired between add and incr
            cache.set(key, 1, timeout=self.window_seconds * 2)
            count = 1
        self._wait = (window + 1) * self.window_seconds - now
        return count <= settings.API_RATE_LIMIT_PER_MINUTE

    def wait(self) -> float:
        return max(1, int(self._wait) + 1)
