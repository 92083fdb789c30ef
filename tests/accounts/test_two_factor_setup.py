"""A new team member signs in once with the password, sets up two-factor straight
away (no second password prompt), saves the recovery codes and goes on to the desk.
Later changes to two-factor still ask for the password again."""

import time

import pytest
import time_machine
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.urls import reverse

from tests import factories

pytestmark = pytest.mark.django_db


def code_for(secret: str) -> str:
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30))


# allauth tells the portal about a new authenticator once its transaction commits
# (accounts.signals keeps this session signed in then): a transactional test.
@pytest.mark.django_db(transaction=True)
def test_setting_up_two_factor_after_signing_in_asks_for_the_password_once(client):
    person = factories.TeamUserFactory(two_factor=False)
    response = client.post(
        reverse("account_login"),
        {"login": person.email, "password": factories.PASSWORD},
        follow=True,
    )
    # straight to the set-up page: no "Confirm it's you"
    assert response.redirect_chain[-1][0] == reverse("mfa_activate_totp")
    secret = response.context["form"].secret
    response = client.post(
        reverse("mfa_activate_totp"), {"code": code_for(secret)}, follow=True
    )
    assert response.redirect_chain[-1][0] == reverse("mfa_view_recovery_codes")
    page = response.content.decode()
    assert f'href="{reverse("dashboard")}"' in page  # "Continue"
    response = client.get(reverse("dashboard"), follow=True)
    assert response.redirect_chain[-1][0] == reverse("team:home")
    assert response.status_code == 200


def test_setting_up_two_factor_long_after_signing_in_asks_for_the_password(client):
    person = factories.TeamUserFactory(two_factor=False)
    client.post(
        reverse("account_login"),
        {"login": person.email, "password": factories.PASSWORD},
    )
    with time_machine.travel(time.time() + 600, tick=False):
        response = client.get(reverse("mfa_activate_totp"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_reauthenticate"))


def test_turning_two_factor_off_still_asks_for_the_password(client):
    person = factories.TeamUserFactory()
    client.force_login(person)
    response = client.get(reverse("mfa_deactivate_totp"))
    assert response.status_code == 302
    assert "reauthenticate" in response["Location"]
