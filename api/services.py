"""Writes of the API app: tokens (create, revoke, record a use) and the team's
scheduled extracts. Reading a token back from its secret is here too, because a use
writes (`last_used_at` and a use row)."""

from __future__ import annotations

import datetime
import hashlib
import secrets

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q
from django.shortcuts import get_object_or_404
from django.utils import timezone

from accounts.permissions import is_team
from accounts.selectors import members_for_user, suppliers_for_user
from core.limits import too_long

from .models import ApiToken, ApiTokenUse, ScheduledExtract

TOKEN_PREFIX = "svr_"
EXPIRY_CHOICES_DAYS = (30, 90, 365)
NAME_MAX_LENGTH = 100  # the model's, the form's and this service's limit
NAME_TOO_LONG = too_long("Name", NAME_MAX_LENGTH)
NAME_MISSING = "Enter a name for the token, such as the report it feeds"
USE_PATH_MAX_LENGTH = 500


def token_hash(secret: str) -> str:
    """SHA-256 of the secret: the secret is 256 random bits, so a fast hash is as
    safe as a slow one and costs nothing per request."""
    return hashlib.sha256(secret.encode()).hexdigest()


def may_hold_scope(*, user, scope: str, member=None, supplier=None) -> bool:
    """Whether `user` may hold (and go on using) a token of this scope: the same
    links that admit them to that organisation's pages."""
    if not user.is_active:
        return False
    if scope == ApiToken.Scope.TEAM:
        return bool(is_team(user))
    if scope == ApiToken.Scope.MEMBER:
        return (
            member is not None
            and members_for_user(user=user).filter(pk=member.pk).exists()
        )
    if scope == ApiToken.Scope.SUPPLIER:
        return (
            supplier is not None
            and suppliers_for_user(user=user).filter(pk=supplier.pk).exists()
        )
    return False


@transaction.atomic
def token_create(
    *,
    user,
    scope: str,
    name: str,
    expires_in_days: int,
    member=None,
    supplier=None,
) -> tuple[ApiToken, str]:
    """Creates a token for `user` on one of their organisations. Returns the token
    and its secret, which is never stored and cannot be shown again. Called by the
    settings page (a team member's page needs a two-factor session)."""
    name = name.strip()
    if not name:
        raise ValueError(NAME_MISSING)
    if len(name) > NAME_MAX_LENGTH:
        raise ValueError(NAME_TOO_LONG)
    if expires_in_days not in EXPIRY_CHOICES_DAYS:
        raise ValueError("Choose when the token expires.")
    if not may_hold_scope(user=user, scope=scope, member=member, supplier=supplier):
        raise PermissionDenied
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    now = timezone.now()
    token = ApiToken.objects.create(
        user=user,
        scope=scope,
        member=member if scope == ApiToken.Scope.MEMBER else None,
        supplier=supplier if scope == ApiToken.Scope.SUPPLIER else None,
        name=name,
        prefix=secret[: len(TOKEN_PREFIX) + 6],
        token_hash=token_hash(secret),
        created_at=now,
        expires_at=now + datetime.timedelta(days=expires_in_days),
    )
    return token, secret


@transaction.atomic
def token_revoke(*, user, token_id: int) -> ApiToken:
    """Revokes one of `user`'s own tokens (another person's is not found). Revoking
    twice keeps the first time."""
    token = get_object_or_404(
        ApiToken.objects.select_for_update().filter(user=user), pk=token_id
    )
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
    return token


def token_for_secret(secret: str) -> ApiToken | None:
    """The token this secret opens, or None: unknown, revoked, expired, or its
    person no longer holds the link it was made for. Callers answer every None
    alike, so nobody learns which tokens exist."""
    if not secret.startswith(TOKEN_PREFIX) or len(secret) > 200:
        return None
    token = (
        ApiToken.objects.select_related("user", "member", "supplier")
        .filter(token_hash=token_hash(secret))
        .first()
    )
    if token is None or not token.is_usable():
        return None
    if not may_hold_scope(
        user=token.user,
        scope=token.scope,
        member=token.member,
        supplier=token.supplier,
    ):
        return None
    return token


def token_use_record(*, token: ApiToken, method: str, path: str, status: int) -> None:
    """Records one use of a token and moves its last-used time. Two statements, no
    transaction: a lost row of a use record never matters more than the answer."""
    now = timezone.now()
    ApiTokenUse.objects.create(
        token=token,
        at=now,
        method=method[:10],
        path=path[:USE_PATH_MAX_LENGTH],
        status=status,
    )
    # A busy token's row is rewritten at most once a minute, not on every request.
    ApiToken.objects.filter(pk=token.pk).filter(
        Q(last_used_at__isnull=True)
        | Q(last_used_at__lt=now - datetime.timedelta(minutes=1))
    ).update(last_used_at=now)


def token_uses_prune(*, now: datetime.datetime | None = None) -> int:
    """Deletes use records older than API_TOKEN_USE_KEEP_DAYS; returns how many. A
    token used by a nightly report writes a row per request, so the table would
    otherwise grow for ever with records nobody reads after a few months."""
    now = now or timezone.now()
    cutoff = now - datetime.timedelta(days=settings.API_TOKEN_USE_KEEP_DAYS)
    deleted, _ = ApiTokenUse.objects.filter(at__lt=cutoff).delete()
    return deleted


@transaction.atomic
def extract_set(*, member, active: bool, acting_user) -> ScheduledExtract:
    """The team turns a member's monthly extract on or off."""
    if not is_team(acting_user):
        raise PermissionDenied
    extract, created = ScheduledExtract.objects.get_or_create(
        member=member, defaults={"is_active": active, "created_by": acting_user}
    )
    if not created and extract.is_active != active:
        extract.is_active = active
        extract.save(update_fields=["is_active"])
    return extract
