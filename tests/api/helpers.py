"""Tokens and requests for the API tests."""

from django.test import Client

from api.models import ApiToken
from api.services import token_create


def secret_for(user, *, member=None, supplier=None, team=False, days=90) -> str:
    if team:
        scope = ApiToken.Scope.TEAM
    elif member is not None:
        scope = ApiToken.Scope.MEMBER
    else:
        scope = ApiToken.Scope.SUPPLIER
    _, secret = token_create(
        user=user,
        scope=scope,
        name="test",
        expires_in_days=days,
        member=member,
        supplier=supplier,
    )
    return secret


def api_get(url: str, secret: str | None = None, **headers):
    if secret is not None:
        headers["Authorization"] = f"Bearer {secret}"
    return Client().get(url, headers=headers)
