"""Two-factor is a step each session passes, not a property of the person; turning
two-factor on or off, or changing the password, ends the person's other sessions;
the code that sets up an authenticator is single use."""

import datetime
import time

import pytest
import time_machine
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import (
    SECRET_SESSION_KEY,
    encrypt,
    format_hotp_value,
    hotp_value,
)
from django.test import Client
from django.urls import reverse

from portal.middleware import GIVE_THE_CODE
from tests import factories
from tests.sessions import signed_in

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"
CODE_PAGE = reverse("mfa_reauthenticate")
# A fixed moment, so each test knows which codes are current.
NOON = datetime.datetime(2026, 6, 1, 12, 0, 5, tzinfo=datetime.UTC)


def code_for(secret: str) -> str:
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30))


def password_sign_in(client, person) -> None:
    response = client.post(
        LOGIN, {"login": person.email, "password": factories.PASSWORD}
    )
    assert response.status_code == 302


def set_up_authenticator(client) -> str:
    """Sets up an authenticator app through allauth's pages (it asks for the password
    again first); returns its secret."""
    confirmed = client.post(
        reverse("account_reauthenticate"), {"password": factories.PASSWORD}
    )
    assert confirmed.status_code == 302
    page = client.get(reverse("mfa_activate_totp"))
    assert page.status_code == 200
    secret = client.session[SECRET_SESSION_KEY]
    done = client.post(reverse("mfa_activate_totp"), {"code": code_for(secret)})
    assert done.status_code == 302, done.content.decode()[:2000]
    return secret


# allauth tells the rest of the portal once its transaction commits, inside the
# request: only a transactional test runs that as production does.
@pytest.mark.django_db(transaction=True)
def test_a_password_only_session_is_ended_when_two_factor_is_set_up_elsewhere():
    person = factories.TeamUserFactory(two_factor=False)
    waiting, setting_up = Client(), Client()
    with time_machine.travel(NOON, tick=False):
        password_sign_in(waiting, person)
        assert waiting.get("/team/")["Location"] == reverse("mfa_activate_totp")
        password_sign_in(setting_up, person)
        set_up_authenticator(setting_up)
        # The session that set it up gave a code from the new app: it goes on.
        assert setting_up.get("/team/").status_code == 200
        # The waiting session never gave a code: it is signed out.
        for path in ("/team/", "/admin/"):
            response = waiting.get(path)
            assert response.status_code == 302
            assert response["Location"].startswith((LOGIN, reverse("admin:login"))), (
                response["Location"]
            )
        assert "_auth_user_id" not in waiting.session


def test_a_session_that_gave_no_code_is_sent_to_the_code_step_whatever_the_person_has():
    """Even when an authenticator appears without ending sessions (restored from a
    backup, written by a script), a session that signed in with the password alone
    is sent to give a code before any page; the code lets it through."""
    person = factories.TeamUserFactory(two_factor=False, is_staff=True)
    client = Client()
    with time_machine.travel(NOON, tick=False):
        password_sign_in(client, person)
        secret = factories.TOTP_SECRET
        # bulk_create sends no signal: the session survives, as in the finding.
        Authenticator.objects.bulk_create(
            [
                Authenticator(
                    user=person,
                    type=Authenticator.Type.TOTP,
                    data={"secret": encrypt(secret)},
                )
            ]
        )
        for path in ("/team/", "/admin/", "/team/people/?q=x"):
            response = client.get(path)
            assert response.status_code == 302
            assert response["Location"].startswith(CODE_PAGE), path
        # The two-factor settings are closed too: a password alone changes nothing.
        for name in ("mfa_deactivate_totp", "mfa_index", "mfa_activate_totp"):
            response = client.get(reverse(name))
            assert response["Location"].startswith(CODE_PAGE), name
        page = client.get(CODE_PAGE + "?next=/team/people/", follow=True)
        assert GIVE_THE_CODE in page.content.decode() or page.status_code == 200
        given = client.post(
            CODE_PAGE, {"code": code_for(secret), "next": "/team/people/"}
        )
        assert given.status_code == 302
        assert given["Location"] == "/team/people/"
        assert client.get("/team/").status_code == 200
        assert client.get("/admin/").status_code == 200


def test_a_session_that_gave_the_code_at_sign_in_reaches_the_team_pages():
    person = factories.TeamUserFactory()
    client = Client()
    with time_machine.travel(NOON, tick=False):
        password_sign_in(client, person)
        client.post(
            reverse("mfa_authenticate"), {"code": code_for(factories.TOTP_SECRET)}
        )
        assert client.get("/team/").status_code == 200


def test_changing_the_password_ends_the_other_sessions_and_keeps_this_one():
    person = factories.TeamUserFactory()
    here, elsewhere = signed_in(Client(), person), signed_in(Client(), person)
    assert elsewhere.get("/team/").status_code == 200
    new = "a-completely-new-passphrase"
    response = here.post(
        reverse("account_change_password"),
        {"oldpassword": factories.PASSWORD, "password1": new, "password2": new},
    )
    assert response.status_code == 302
    assert here.get("/team/").status_code == 200
    assert elsewhere.get("/team/")["Location"].startswith(LOGIN)


def test_turning_two_factor_off_ends_the_other_sessions_and_keeps_this_one():
    person = factories.TeamUserFactory()
    with time_machine.travel(NOON, tick=False):
        here, elsewhere = signed_in(Client(), person), signed_in(Client(), person)
        # allauth asks to confirm with a code first (the session gave one at sign-in
        # long ago, as far as allauth's five-minute window goes).
        here.post(CODE_PAGE, {"code": code_for(factories.TOTP_SECRET)})
        response = here.post(reverse("mfa_deactivate_totp"))
        assert response.status_code == 302, response.content.decode()[:1000]
        assert not Authenticator.objects.filter(
            user=person, type=Authenticator.Type.TOTP
        ).exists()
        # This session stays signed in (and is sent to set two-factor up again) ...
        assert here.get("/team/")["Location"] == reverse("mfa_activate_totp")
        # ... the other one is signed out.
        assert elsewhere.get("/team/")["Location"].startswith(LOGIN)


def test_removing_an_authenticator_elsewhere_ends_every_session_of_the_person():
    """In the Django admin or a shell there is no session to keep."""
    person = factories.TeamUserFactory()
    client = signed_in(Client(), person)
    assert client.get("/team/").status_code == 200
    Authenticator.objects.filter(user=person).delete()
    assert client.get("/team/")["Location"].startswith(LOGIN)


# allauth tells the rest of the portal once its transaction commits, inside the
# request: only a transactional test runs that as production does.
@pytest.mark.django_db(transaction=True)
def test_the_code_that_set_up_the_authenticator_is_not_accepted_again_at_sign_in():
    person = factories.TeamUserFactory(two_factor=False)
    client = Client()
    with time_machine.travel(NOON, tick=False):
        password_sign_in(client, person)
        secret = set_up_authenticator(client)
        used = code_for(secret)
        client.post(reverse("account_logout"))
        other = Client()
        password_sign_in(other, person)
        refused = other.post(reverse("mfa_authenticate"), {"code": used})
        assert refused.status_code == 200  # the form again, with its error
        assert other.get("/team/").status_code == 302
    with time_machine.travel(NOON + datetime.timedelta(seconds=30), tick=False):
        accepted = other.post(reverse("mfa_authenticate"), {"code": code_for(secret)})
        assert accepted.status_code == 302
        assert other.get("/team/").status_code == 200
