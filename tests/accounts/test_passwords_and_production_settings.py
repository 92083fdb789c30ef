"""Issue 25: Argon2 first with old PBKDF2 hashes upgraded at sign-in; persistent,
health-checked database connections in production; the cached template loader.

Tests hash with MD5 (portal/settings_test.py) to stay fast; the tests here that need
the real hashers set them for themselves.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.hashers import (
    PBKDF2PasswordHasher,
    check_password,
    get_hasher,
    identify_hasher,
    make_password,
)
from django.template import engines

from portal import settings as portal_settings
from tests import factories

ROOT = Path(__file__).resolve().parents[2]
LOGIN = "/accounts/login/"
# The portal's production list, as settings.py declares it (settings_test.py swaps it
# for MD5 for speed).
PRODUCTION_HASHERS = portal_settings.PASSWORD_HASHERS


def test_argon2_is_preferred_and_pbkdf2_still_reads():
    assert PRODUCTION_HASHERS[0] == "accounts.hashers.PortalArgon2PasswordHasher"
    assert "django.contrib.auth.hashers.PBKDF2PasswordHasher" in PRODUCTION_HASHERS


def test_tests_hash_with_md5():
    # Fast tests: the one place this is decided.
    assert settings.PASSWORD_HASHERS == [
        "django.contrib.auth.hashers.MD5PasswordHasher"
    ]


def test_the_portal_argon2_hash_is_memory_hard_argon2id(settings):
    settings.PASSWORD_HASHERS = PRODUCTION_HASHERS
    encoded = make_password("a long enough password")
    assert encoded.startswith("argon2$argon2id$")
    # Parameters are in the hash: 19 MiB, 2 passes, 1 lane (OWASP's minimum).
    assert "$m=19456,t=2,p=1$" in encoded
    assert check_password("a long enough password", encoded)
    assert not check_password("another password", encoded)


def test_django_default_argon2_hash_is_upgraded_to_ours(settings):
    settings.PASSWORD_HASHERS = PRODUCTION_HASHERS
    from django.contrib.auth.hashers import Argon2PasswordHasher

    old = Argon2PasswordHasher().encode("a long enough password", "saltsaltsalt")
    assert get_hasher("default").must_update(old)


@pytest.mark.django_db
def test_an_old_pbkdf2_hash_is_upgraded_to_argon2_at_sign_in(client, settings):
    settings.PASSWORD_HASHERS = PRODUCTION_HASHERS
    person = factories.SupplierContactFactory().user
    person.password = PBKDF2PasswordHasher().encode(
        factories.PASSWORD, PBKDF2PasswordHasher().salt()
    )
    person.save(update_fields=["password"])
    assert identify_hasher(person.password).algorithm == "pbkdf2_sha256"

    response = client.post(
        LOGIN, {"login": person.email, "password": factories.PASSWORD}
    )

    assert response.status_code == 302  # signed in with the old hash
    person.refresh_from_db()
    assert person.password.startswith("argon2$argon2id$")
    assert "$m=19456,t=2,p=1$" in person.password
    assert check_password(factories.PASSWORD, person.password)
    # The upgraded hash signs in again.
    client.logout()
    response = client.post(
        LOGIN, {"login": person.email, "password": factories.PASSWORD}
    )
    assert response.status_code == 302


@pytest.mark.django_db
def test_a_wrong_password_upgrades_nothing(client, settings):
    settings.PASSWORD_HASHERS = PRODUCTION_HASHERS
    person = factories.SupplierContactFactory().user
    old = PBKDF2PasswordHasher().encode(
        factories.PASSWORD, PBKDF2PasswordHasher().salt()
    )
    person.password = old
    person.save(update_fields=["password"])

    response = client.post(LOGIN, {"login": person.email, "password": "wrong-guess"})

    assert response.status_code == 200
    person.refresh_from_db()
    assert person.password == old


def _settings_in(env: dict[str, str]) -> dict:
    """portal/settings.py read in a fresh process with `env` (production settings
    cannot be switched on inside this one)."""
    script = (
        "import json, portal.settings as s; "
        "d = s.DATABASES['default']; "
        "print(json.dumps({'age': d['CONN_MAX_AGE'], "
        "'checks': d['CONN_HEALTH_CHECKS'], 'debug': s.DEBUG}))"
    )
    keep = {
        k: v for k, v in os.environ.items() if not k.startswith(("CONN_", "PORTAL_"))
    }
    out = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env={**keep, "DATABASE_URL": "postgres://u@db.example/portal", **env},
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return json.loads(out.strip().splitlines()[-1])


def test_production_keeps_database_connections_and_checks_them():
    found = _settings_in(
        {
            "PORTAL_PRODUCTION": "true",
            "SECRET_KEY": "x" * 50,
            "ALLOWED_HOSTS": "portal.example",
        }
    )
    assert found == {"age": 60, "checks": True, "debug": False}


def test_production_can_turn_persistent_connections_off_for_pgbouncer():
    found = _settings_in(
        {
            "PORTAL_PRODUCTION": "true",
            "SECRET_KEY": "x" * 50,
            "ALLOWED_HOSTS": "portal.example",
            "CONN_MAX_AGE": "0",
        }
    )
    assert found["age"] == 0


def test_development_closes_connections_after_each_request():
    assert _settings_in({})["age"] == 0


def test_templates_are_parsed_once_per_process():
    loaders = engines["django"].engine.loaders
    assert [loader[0] for loader in loaders] == [
        "django.template.loaders.cached.Loader"
    ]


@pytest.mark.django_db
def test_a_page_asks_once_whether_its_user_is_a_supplier_contact(supplier_client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    # The access check and the navigation both ask: the answer is kept for the
    # request (issue 25's profile found the same query twice on every page).
    with CaptureQueriesContext(connection) as queries:
        assert supplier_client.get("/returns/").status_code == 200
    asked = [
        q["sql"]
        for q in queries.captured_queries
        if 'FROM "accounts_suppliercontact"' in q["sql"] and "LIMIT 1" in q["sql"]
    ]
    assert len(asked) == 1, asked
