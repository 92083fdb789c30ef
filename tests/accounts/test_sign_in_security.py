"""Two-factor for the team, throttled sign-in, no account enumeration, expiring
sessions and single-use reset links."""

import datetime
import re
import time

import pytest
import time_machine
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from portal.middleware import SET_UP_TWO_FACTOR
from tests import factories

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"


def totp_now(secret: str = factories.TOTP_SECRET) -> str:
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30))


def sign_in(client, email, password=factories.PASSWORD, ip="10.0.0.1"):
    return client.post(LOGIN, {"login": email, "password": password}, REMOTE_ADDR=ip)


def error_text(response) -> str:
    html = response.content.decode()
    summary = re.search(r'class="govuk-error-summary".*?</div>\s*</div>', html, re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", summary.group(0))).strip()


def test_team_member_without_two_factor_is_sent_to_set_it_up(client):
    person = factories.TeamUserFactory(two_factor=False)
    client.force_login(person)
    response = client.get("/team/")
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_activate_totp")
    follow = client.get(response["Location"], follow=True)
    assert SET_UP_TWO_FACTOR in follow.content.decode()


def test_staff_without_two_factor_cannot_sign_in_at_the_admin(client):
    staff = factories.AdministratorFactory(two_factor=False)
    response = sign_in(client, staff.email)
    assert response.status_code == 302
    for path in ("/admin/login/", "/admin/"):
        response = client.get(path)
        assert response.status_code == 302
        assert response["Location"] == reverse("mfa_activate_totp")


def test_admin_login_page_sends_the_signed_out_to_the_portal_sign_in(client):
    response = client.get("/admin/login/")
    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN)


def test_team_member_with_two_factor_signs_in_with_password_then_code(client):
    person = factories.TeamUserFactory()
    response = sign_in(client, person.email)
    assert response["Location"] == reverse("mfa_authenticate")
    assert client.get("/team/").status_code == 302  # not signed in yet
    code = totp_now()
    response = client.post(reverse("mfa_authenticate"), {"code": code})
    assert response.status_code == 302
    assert client.get("/team/").status_code == 200
    # The same code cannot be used again, even by a second sign-in.
    other = client.__class__()
    sign_in(other, person.email)
    refused = other.post(reverse("mfa_authenticate"), {"code": code})
    assert refused.status_code == 200
    assert other.get("/team/").status_code == 302


def test_supplier_contacts_do_not_need_two_factor(supplier_user, client):
    response = sign_in(client, supplier_user.email)
    assert response.status_code == 302
    assert client.get("/returns/").status_code == 200


def test_unknown_email_and_wrong_password_get_the_same_answer(client):
    person = factories.UserFactory()
    wrong = sign_in(client, person.email, "not-the-password")
    unknown = sign_in(client, "nobody@example.com", "not-the-password")
    assert wrong.status_code == unknown.status_code == 200
    assert error_text(wrong) == error_text(unknown)
    assert "not correct" in error_text(wrong)


def test_repeated_failures_for_one_account_are_throttled(client):
    person = factories.UserFactory()
    for attempt in range(5):
        sign_in(client, person.email, f"wrong-{attempt}", ip=f"10.0.1.{attempt}")
    throttled = sign_in(client, person.email, ip="10.0.2.1")  # even the right one
    assert "Too many failed" in throttled.content.decode()
    assert client.get("/returns/").status_code == 302


def test_repeated_failures_from_one_address_are_throttled(client):
    people = [factories.UserFactory() for _ in range(11)]
    for person in people[:10]:
        sign_in(client, person.email, "wrong-password", ip="10.9.9.9")
    throttled = sign_in(client, people[10].email, "wrong-password", ip="10.9.9.9")
    assert "Too many failed" in throttled.content.decode()
    assert sign_in(client, people[10].email, ip="10.9.9.10").status_code == 302


def test_a_session_expires_after_two_hours_without_a_request(client, supplier_user):
    with time_machine.travel(datetime.datetime(2026, 5, 1, 9, 0), tick=False) as clock:
        sign_in(client, supplier_user.email)
        clock.shift(datetime.timedelta(hours=1, minutes=50))
        assert client.get("/returns/").status_code == 200  # activity renews it
        clock.shift(datetime.timedelta(hours=1, minutes=50))
        assert client.get("/returns/").status_code == 200
        clock.shift(datetime.timedelta(hours=2, minutes=1))
        assert client.get("/returns/").status_code == 302


def _session_writes(client, path: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(path).status_code == 200
    return sum(
        1
        for query in queries
        if "django_session" in query["sql"]
        and query["sql"].lstrip().upper().startswith(("UPDATE", "INSERT"))
    )


def test_activity_renews_the_session_at_most_once_a_minute(client, supplier_user):
    with time_machine.travel(datetime.datetime(2026, 5, 1, 9, 0), tick=False) as clock:
        sign_in(client, supplier_user.email)
        clock.shift(datetime.timedelta(seconds=30))
        assert _session_writes(client, "/returns/") == 0
        clock.shift(datetime.timedelta(seconds=31))
        assert _session_writes(client, "/returns/") == 1
        assert _session_writes(client, "/returns/") == 0


def _reset_link(client, email) -> str:
    client.post(reverse("account_reset_password"), {"email": email})
    body = mail.outbox[-1].body
    return re.search(r"https?://[^/\s]+(/accounts/password/reset/key/\S+)", body).group(
        1
    )


def test_a_password_reset_link_works_once(client):
    person = factories.UserFactory()
    link = _reset_link(client, person.email)
    page = client.get(link, follow=True)
    form_url = page.redirect_chain[-1][0] if page.redirect_chain else link
    new = "a-brand-new-long-password"
    done = client.post(form_url, {"password1": new, "password2": new})
    assert done.status_code == 302
    person.refresh_from_db()
    assert person.check_password(new)
    again = client.__class__().get(link, follow=True)
    assert "This link has expired" in again.content.decode()
    assert "password1" not in again.content.decode()


def test_a_password_reset_link_expires(client, settings):
    person = factories.UserFactory()
    with time_machine.travel(datetime.datetime(2026, 5, 1, 9, 0), tick=False) as clock:
        link = _reset_link(client, person.email)
        clock.shift(datetime.timedelta(seconds=settings.PASSWORD_RESET_TIMEOUT + 60))
        page = client.__class__().get(link, follow=True)
    assert "This link has expired" in page.content.decode()
    assert "password1" not in page.content.decode()
