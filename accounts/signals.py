"""Receivers that keep sessions in step with two-factor (connected in
`AccountsConfig.ready`). Each calls a service in `accounts.services.sessions`.

Two hooks, because an authenticator can change in two ways: through allauth's pages
(its signals carry the request, so the session making the change stays signed in)
and anywhere else (the Django admin, a shell: the model's own signals, which end
every session of the person)."""

from __future__ import annotations

from allauth.mfa.models import Authenticator

from .services.sessions import session_record_two_factor, user_sessions_end

TWO_FACTOR_TYPES = (Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN)


def authenticator_saved(sender, instance, created, **kwargs) -> None:
    if created and instance.type in TWO_FACTOR_TYPES:
        user_sessions_end(user_id=instance.user_id)


def authenticator_deleted(sender, instance, **kwargs) -> None:
    if instance.type in TWO_FACTOR_TYPES:
        user_sessions_end(user_id=instance.user_id)


def authenticator_added(sender, request, user, authenticator, **kwargs) -> None:
    """Set up on allauth's page: this session gave a code from the new app; every
    other session of the person ends (the model signal did that), this one stays."""
    if authenticator.type not in TWO_FACTOR_TYPES or request is None:
        return
    user_sessions_end(user_id=user.pk, keep=request)
    session_record_two_factor(request=request, authenticator=authenticator)


def authenticator_removed(sender, request, user, authenticator, **kwargs) -> None:
    if authenticator.type not in TWO_FACTOR_TYPES or request is None:
        return
    user_sessions_end(user_id=user.pk, keep=request)
