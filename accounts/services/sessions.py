"""Sessions and two-factor: which sessions passed the two-factor step, and ending a
person's other sessions when their two-factor changes.

allauth records how each session authenticated (`get_authentication_records`: one
record per step, `"method": "mfa"` for a code). Whether a person *has* an
authenticator says nothing about whether *this session* gave a code: a session that
signed in with the password alone before two-factor was set up elsewhere has none.
"""

from __future__ import annotations

import secrets

from allauth.account.authentication import get_authentication_records
from django.contrib.auth import get_user_model, update_session_auth_hash
from django.db import transaction
from django.http import HttpRequest


def session_passed_two_factor(request: HttpRequest) -> bool:
    """True when this session gave a two-factor code (at sign-in, at a later
    "confirm it's you", or when it set up the authenticator)."""
    return any(
        record.get("method") == "mfa"
        for record in get_authentication_records(request, request.user)
    )


def session_record_two_factor(*, request: HttpRequest, authenticator) -> None:
    """Records in this session that it gave a code of `authenticator`: setting up an
    authenticator app means typing a code from it, which proves the same thing as
    giving one at sign-in."""
    # allauth's own recorder; the public module only exposes the reader.
    from allauth.account.internal.flows.login import record_authentication

    record_authentication(
        request,
        authenticator.user,
        "mfa",
        id=authenticator.pk,
        type=authenticator.type,
        activated=True,
    )


@transaction.atomic
def user_sessions_end(*, user_id: int, keep: HttpRequest | None = None) -> None:
    """Ends every session of the person, except the one making `keep` (when it is
    theirs), by changing the stamp inside the hash Django checks on each request
    (`User._get_session_auth_hash`). Called when two-factor is turned on or off
    (`accounts.signals`); a new password ends other sessions through the same hash.
    Written with update(): the stamp is not history."""
    user_model = get_user_model()
    user_model.objects.filter(pk=user_id).update(session_stamp=secrets.token_hex(16))
    if keep is not None and getattr(keep.user, "pk", None) == user_id:
        update_session_auth_hash(keep, user_model.objects.get(pk=user_id))
