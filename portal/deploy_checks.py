"""`manage.py check --deploy`: settings that work on one machine but stop the portal
running as many processes on many machines."""

from django.conf import settings
from django.core import checks


@checks.register(checks.Tags.security, deploy=True)
def shared_services(app_configs, **kwargs) -> list[checks.CheckMessage]:
    found = []
    if settings.DATABASES["default"]["ENGINE"].endswith("sqlite3"):
        found.append(
            checks.Warning(
                "DATABASE_URL is SQLite: one process on one machine only.",
                hint="Set DATABASE_URL to PostgreSQL (docs/deployment.md).",
                id="portal.W001",
            )
        )
    if settings.CACHES["default"]["BACKEND"].endswith("LocMemCache"):
        found.append(
            checks.Warning(
                "CACHE_URL is unset: each web process counts sign-in attempts and "
                "keeps two-factor state on its own.",
                hint="Set CACHE_URL to Redis, shared by every web process.",
                id="portal.W002",
            )
        )
    if not settings.CELERY_BROKER_URL:
        found.append(
            checks.Warning(
                "CELERY_BROKER_URL is unset: jobs run inside web requests and the "
                "daily jobs need a beat process with a broker.",
                hint="Set CELERY_BROKER_URL to Redis or RabbitMQ.",
                id="portal.W003",
            )
        )
    return found
