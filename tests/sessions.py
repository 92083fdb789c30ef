"""Signing a test client in as someone, as far as the portal's checks go.

`Client.force_login` makes a session that signed in with nothing: the portal sends a
team member's or administrator's such session to the two-factor step (a session is
let through only once it has given a code; `portal.middleware`). `signed_in` records
that step as allauth records it when someone with an authenticator gives a code, so
tests of pages (and the benchmarks) start from a fully signed-in session. The
two-factor step itself is tested through the real pages in
`tests/accounts/test_sign_in_security.py`."""

from __future__ import annotations

from types import SimpleNamespace


def signed_in(client, user):
    """`client.force_login(user)`, then the two-factor step if `user` has an
    authenticator. Returns the client."""
    from allauth.account.internal.flows.login import record_authentication
    from allauth.mfa.models import Authenticator

    # A stamp changed by `update()` (two-factor just set up) is not on this object:
    # the session must carry the stamp in the database, or it is signed out at once.
    user.refresh_from_db(fields=["session_stamp"])
    client.force_login(user)
    authenticator = (
        Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP)
        .order_by("pk")
        .first()
    )
    if authenticator is not None:
        session = client.session
        record_authentication(SimpleNamespace(session=session), user, "password")
        record_authentication(
            SimpleNamespace(session=session),
            user,
            "mfa",
            id=authenticator.pk,
            type=authenticator.type,
        )
        session.save()
    return client
