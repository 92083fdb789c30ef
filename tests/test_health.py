"""The health check answers 200 only when every part answers, and names the one that
does not."""

import os

import pytest
from django.test import override_settings

pytestmark = pytest.mark.django_db

CLOSED_PORT = "127.0.0.1:9"  # discard: nothing listens there


def test_health_is_ok_when_database_and_cache_answer(client):
    response = client.get("/healthz/")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["checks"]["database"] == "ok"
    assert body["checks"]["cache"] == "ok"
    assert response["Cache-Control"].startswith("max-age=0")


def test_health_reports_the_broker_when_one_is_configured(client):
    broker = os.environ.get("CELERY_BROKER_URL")
    if not broker:
        with override_settings(CELERY_BROKER_URL=""):
            body = client.get("/healthz/").json()
        assert body["checks"]["broker"].startswith("not configured")
        return
    with override_settings(CELERY_BROKER_URL=broker):
        response = client.get("/healthz/")
    assert response.status_code == 200
    assert response.json()["checks"]["broker"] == "ok"


def test_health_fails_naming_an_unreachable_broker(client):
    with override_settings(CELERY_BROKER_URL=f"redis://{CLOSED_PORT}/0"):
        response = client.get("/healthz/")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "failing"
    assert body["checks"]["broker"].startswith("failed")
    assert body["checks"]["database"] == "ok"


def test_health_fails_naming_an_unreachable_cache(client):
    broken = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": f"redis://{CLOSED_PORT}/0",
        }
    }
    with override_settings(CACHES=broken):
        response = client.get("/healthz/")
    assert response.status_code == 503
    assert response.json()["checks"]["cache"].startswith("failed")
