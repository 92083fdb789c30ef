"""`check --deploy` names the settings that tie the portal to one process."""

import pytest
from django.core.management import call_command
from django.core.management.base import SystemCheckError

from portal.deploy_checks import shared_services

SQLITE = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": "x.sqlite3"}}
POSTGRES = {"default": {"ENGINE": "django.db.backends.postgresql", "NAME": "portal"}}
LOCMEM = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
REDIS = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache"}}


def _databases(monkeypatch, databases):
    # Only the check sees these: overriding DATABASES itself would touch the
    # test database's connections.
    monkeypatch.setattr(
        "portal.deploy_checks.settings", _Settings(databases), raising=True
    )


class _Settings:
    def __init__(self, databases):
        self.DATABASES = databases

    def __getattr__(self, name):
        from django.conf import settings

        return getattr(settings, name)


def test_one_machine_settings_are_each_named(settings, monkeypatch):
    _databases(monkeypatch, SQLITE)
    settings.CACHES = LOCMEM
    settings.CELERY_BROKER_URL = ""

    found = {message.id: message.msg for message in shared_services(None)}

    assert set(found) == {"portal.W001", "portal.W002", "portal.W003"}
    assert "SQLite" in found["portal.W001"]
    assert "CACHE_URL" in found["portal.W002"]
    assert "CELERY_BROKER_URL" in found["portal.W003"]


def test_shared_services_pass(settings, monkeypatch):
    _databases(monkeypatch, POSTGRES)
    settings.CACHES = REDIS
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:6379/0"

    assert shared_services(None) == []


def test_check_deploy_fails_on_them_at_warning_level(settings):
    settings.CACHES = LOCMEM
    settings.CELERY_BROKER_URL = ""

    with pytest.raises(SystemCheckError, match="portal.W002"):
        call_command("check", "--deploy", "--fail-level", "WARNING")
