"""Shared fixtures, the role clients, and the rules that keep CI honest.

With CI=true a skipped test fails the run; the only skips allowed are tests marked
`postgres` while the suite runs on SQLite.
"""

import os

import pytest
from django.conf import settings

from tests import factories
from tests.sessions import signed_in

# Playwright's sync API runs an event loop in the test thread.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

ON_POSTGRES = settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"
IN_CI = os.environ.get("CI", "").lower() == "true"

_disallowed_skips: list[str] = []


def pytest_collection_modifyitems(config, items):
    if ON_POSTGRES:
        return
    skip = pytest.mark.skip(reason="needs PostgreSQL (runs in CI's PostgreSQL pass)")
    for item in items:
        if "postgres" in item.keywords:
            item.add_marker(skip)


def pytest_runtest_logreport(report):
    if not report.skipped or not IN_CI:
        return
    if "postgres" in report.keywords and not ON_POSTGRES:
        return
    _disallowed_skips.append(report.nodeid)


def pytest_sessionfinish(session, exitstatus):
    if _disallowed_skips:
        session.exitstatus = 1


def pytest_terminal_summary(terminalreporter):
    if _disallowed_skips:
        terminalreporter.section("skipped tests are failures in CI", red=True)
        for nodeid in _disallowed_skips:
            terminalreporter.line(f"SKIPPED IN CI: {nodeid}")


@pytest.fixture(autouse=True)
def _empty_cache():
    """Sign-in throttling and used two-factor codes live in the cache: start clean."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


def _is_transactional(item) -> bool:
    marker = item.get_closest_marker("django_db")
    return bool(
        (marker and marker.kwargs.get("transaction"))
        or "live_server" in getattr(item, "fixturenames", ())
        or "transactional_db" in getattr(item, "fixturenames", ())
    )


@pytest.fixture(autouse=True)
def _reference_data_after_flush(request):
    """A transactional test's flush empties the tables the data migrations filled:
    put the local authorities, measures and groups back before such a test."""
    if not _is_transactional(request.node):
        return
    request.getfixturevalue("transactional_db")
    from django.contrib.auth.models import Group

    from frameworks.models import LocalAuthority
    from frameworks.reference_data import load_local_authorities
    from returns.catalogue import ensure_groups, load_default_measures
    from returns.models import Measure

    load_local_authorities(LocalAuthority)
    load_default_measures(Measure)
    ensure_groups(Group)


@pytest.fixture
def team_user(db):
    return factories.TeamUserFactory()


@pytest.fixture
def admin_user(db):
    return factories.AdministratorFactory()


@pytest.fixture
def supplier(db):
    return factories.SupplierFactory()


@pytest.fixture
def supplier_user(supplier):
    return factories.SupplierContactFactory(supplier=supplier, is_primary=True).user


@pytest.fixture
def member(db):
    return factories.MemberFactory()


@pytest.fixture
def member_user(member):
    return factories.MemberViewerFactory(member=member).user


def _client_for(client_class, user):
    client = client_class()
    signed_in(client, user)
    return client


@pytest.fixture
def team_client(team_user):
    from django.test import Client

    return _client_for(Client, team_user)


@pytest.fixture
def admin_client_portal(admin_user):
    from django.test import Client

    return _client_for(Client, admin_user)


@pytest.fixture
def supplier_client(supplier_user):
    from django.test import Client

    return _client_for(Client, supplier_user)


@pytest.fixture
def member_client(member_user):
    from django.test import Client

    return _client_for(Client, member_user)
