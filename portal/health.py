"""The health check a load balancer or orchestrator polls: is this process able to
serve? It answers 200 only when the database, the cache and (when configured) the
Celery broker all answer, and 503 naming the part that did not. It says nothing else
about the installation, so it needs no sign-in."""

from __future__ import annotations

import time
import uuid

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

BROKER_TIMEOUT_SECONDS = 2


def _database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        if cursor.fetchone() != (1,):
            raise RuntimeError("unexpected answer")


def _cache() -> None:
    key = f"health:{uuid.uuid4().hex}"
    cache.set(key, "ok", timeout=10)
    if cache.get(key) != "ok":
        raise RuntimeError("value not read back")
    cache.delete(key)


def _broker() -> None:
    from portal.celery import app

    with app.connection_for_write(settings.CELERY_BROKER_URL) as conn:
        conn.ensure_connection(max_retries=1, timeout=BROKER_TIMEOUT_SECONDS)


def checks() -> dict[str, str]:
    """Each part's state: "ok", "not configured", or "failed: <error class>"."""
    parts = {"database": _database, "cache": _cache}
    if settings.CELERY_BROKER_URL:
        parts["broker"] = _broker
    results: dict[str, str] = {}
    for name, check in parts.items():
        try:
            check()
        except Exception as error:  # noqa: BLE001 - any failure means "not healthy"
            results[name] = f"failed: {type(error).__name__}"
        else:
            results[name] = "ok"
    if "broker" not in results:
        results["broker"] = "not configured (tasks run in-process)"
    return results


@never_cache
@require_GET
def health(request: HttpRequest) -> JsonResponse:
    started = time.perf_counter()
    results = checks()
    healthy = all(not value.startswith("failed") for value in results.values())
    return JsonResponse(
        {
            "status": "ok" if healthy else "failing",
            "checks": results,
            "seconds": round(time.perf_counter() - started, 3),
        },
        status=200 if healthy else 503,
    )
