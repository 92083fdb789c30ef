"""Token lifecycle: created on the settings page and shown once, stored hashed,
recorded at each use, rate limited, and refused in the same words whether unknown,
revoked, expired or no longer the person's."""

import datetime
import hashlib

import pytest
import time_machine
from django.test import Client, override_settings
from django.utils import timezone

from api.authentication import TOKEN_MISSING, TOKEN_REFUSED
from api.models import ApiToken, ApiTokenUse
from api.services import token_revoke
from tests import factories
from tests.api.helpers import api_get, secret_for
from tests.sessions import signed_in

pytestmark = pytest.mark.django_db
YEARS = "/api/v1/years/"


def _create_on_page(client, **data):
    return client.post("/api-tokens/", {"expires_in_days": "90", **data})


def test_a_member_viewer_creates_a_token_shown_once_and_stored_hashed(
    member_client, member, member_user
):
    response = _create_on_page(
        member_client, name="Power BI", organisation=f"member:{member.pk}"
    )
    assert response.status_code == 200
    token = ApiToken.objects.get(user=member_user)
    secret = response.context["secret"]
    assert secret.startswith("svr_") and secret in response.content.decode()
    assert response["Cache-Control"] == "no-store"
    # Hashed: the secret is in no column of the row.
    assert token.token_hash == hashlib.sha256(secret.encode()).hexdigest()
    row = ApiToken.objects.filter(pk=token.pk).values().get()
    assert not any(secret in str(value) for value in row.values())
    assert token.scope == "member" and token.member == member
    # Shown once: the page never shows it again.
    again = member_client.get("/api-tokens/").content.decode()
    assert secret not in again and "Power BI" in again and token.prefix in again
    assert api_get(YEARS, secret).status_code == 200


def test_no_one_creates_a_token_for_an_organisation_that_is_not_theirs(
    member_client, member_user
):
    other = factories.SupplierFactory()
    response = _create_on_page(
        member_client, name="x", organisation=f"supplier:{other.pk}"
    )
    assert response.status_code == 400
    assert not ApiToken.objects.filter(user=member_user).exists()
    team = _create_on_page(member_client, name="x", organisation="team")
    assert team.status_code == 400


def test_a_team_token_needs_a_session_that_gave_a_two_factor_code(team_user):
    password_only = Client()
    password_only.force_login(team_user)
    response = _create_on_page(password_only, name="t", organisation="team")
    assert response.status_code == 302  # to the code page (portal.middleware)
    assert not ApiToken.objects.exists()
    response = _create_on_page(
        signed_in(Client(), team_user), name="t", organisation="team"
    )
    assert response.status_code == 200
    assert ApiToken.objects.get().scope == "team"


def test_revoked_expired_unknown_and_lapsed_tokens_get_the_same_401(
    member, member_user
):
    revoked = secret_for(member_user, member=member)
    token_revoke(user=member_user, token_id=ApiToken.objects.get().pk)
    expired = secret_for(member_user, member=member, days=30)
    lapsed_viewer = factories.MemberViewerFactory(member=member)
    lapsed = secret_for(lapsed_viewer.user, member=member)
    lapsed_viewer.is_active = False
    lapsed_viewer.save()
    with time_machine.travel(timezone.now() + datetime.timedelta(days=31)):
        answers = [
            api_get(YEARS, secret)
            for secret in (revoked, expired, lapsed, "svr_made-up", "nonsense")
        ]
    for response in answers:
        assert response.status_code == 401
        assert response["Content-Type"] == "application/problem+json"
        assert response.json()["detail"] == TOKEN_REFUSED
        assert response["WWW-Authenticate"] == 'Bearer realm="api"'
    missing = api_get(YEARS)
    assert missing.status_code == 401 and missing.json()["detail"] == TOKEN_MISSING


def test_revoking_on_the_page_stops_the_token(member_client, member, member_user):
    secret = secret_for(member_user, member=member)
    token = ApiToken.objects.get()
    assert api_get(YEARS, secret).status_code == 200
    response = member_client.post(f"/api-tokens/{token.pk}/revoke/")
    assert response.status_code == 302
    assert api_get(YEARS, secret).status_code == 401


def test_nobody_revokes_another_persons_token(member, member_user):
    secret = secret_for(member_user, member=member)
    token = ApiToken.objects.get()
    other = signed_in(Client(), factories.MemberViewerFactory(member=member).user)
    assert other.post(f"/api-tokens/{token.pk}/revoke/").status_code == 404
    assert api_get(YEARS, secret).status_code == 200


def test_each_use_is_recorded_with_its_answer(member, member_user):
    secret = secret_for(member_user, member=member)
    api_get(YEARS, secret)
    api_get("/api/v1/contracts/99999/", secret)
    uses = list(ApiTokenUse.objects.order_by("pk").values_list("path", "status"))
    assert uses == [(YEARS, 200), ("/api/v1/contracts/99999/", 404)]
    assert ApiToken.objects.get().last_used_at is not None


@override_settings(API_TOKEN_USE_KEEP_DAYS=90)
def test_use_records_older_than_the_keep_days_are_pruned_and_newer_kept(
    member, member_user
):
    from api.tasks import prune_token_uses

    secret = secret_for(member_user, member=member)
    with time_machine.travel(
        datetime.datetime(2026, 1, 1, 12, tzinfo=datetime.UTC), tick=False
    ):
        api_get(YEARS, secret)
    with time_machine.travel(
        datetime.datetime(2026, 3, 31, 12, tzinfo=datetime.UTC), tick=False
    ):
        api_get("/api/v1/contracts/99999/", secret)
    with time_machine.travel(
        datetime.datetime(2026, 4, 1, 12, 1, tzinfo=datetime.UTC), tick=False
    ):
        assert prune_token_uses() == 1
        assert prune_token_uses() == 0
    kept = list(ApiTokenUse.objects.values_list("path", flat=True))
    assert kept == ["/api/v1/contracts/99999/"]


@override_settings(API_RATE_LIMIT_PER_MINUTE=3)
def test_a_token_past_its_rate_limit_gets_429_with_retry_after(member, member_user):
    secret = secret_for(member_user, member=member)
    other = secret_for(member_user, member=member)
    with time_machine.travel(
        datetime.datetime(2026, 1, 5, 10, 0, 10, tzinfo=datetime.UTC)
    ):
        statuses = [api_get(YEARS, secret).status_code for _ in range(4)]
        refused = api_get(YEARS, secret)
        assert api_get(YEARS, other).status_code == 200  # per token
    assert statuses == [200, 200, 200, 429]
    assert refused.status_code == 429
    assert refused["Content-Type"] == "application/problem+json"
    assert 1 <= int(refused["Retry-After"]) <= 60
    with time_machine.travel(
        datetime.datetime(2026, 1, 5, 10, 1, 1, tzinfo=datetime.UTC)
    ):
        assert api_get(YEARS, secret).status_code == 200


def test_an_administrator_revokes_a_leaked_token_in_the_admin(member, member_user):
    # The demo's administrator is a superuser: the admin's model permissions.
    admin_client_portal = signed_in(
        Client(), factories.AdministratorFactory(is_superuser=True)
    )
    secret = secret_for(member_user, member=member)
    token = ApiToken.objects.get()
    page = admin_client_portal.get(f"/admin/api/apitoken/{token.pk}/change/")
    assert page.status_code == 200
    assert token.token_hash not in page.content.decode()
    response = admin_client_portal.post(
        "/admin/api/apitoken/",
        {"action": "revoke", "_selected_action": [token.pk]},
    )
    assert response.status_code == 302
    assert api_get(YEARS, secret).status_code == 401


def test_the_page_and_the_service_refuse_a_long_name_in_the_same_words(
    member_client, member, member_user
):
    from api.services import NAME_TOO_LONG, token_create

    response = _create_on_page(
        member_client, name="x" * 101, organisation=f"member:{member.pk}"
    )
    assert response.status_code == 400
    assert NAME_TOO_LONG in response.content.decode()
    with pytest.raises(ValueError, match=NAME_TOO_LONG):
        token_create(
            user=member_user,
            scope="member",
            member=member,
            name="x" * 101,
            expires_in_days=30,
        )
    assert not ApiToken.objects.exists()
