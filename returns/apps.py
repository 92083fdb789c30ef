"""The returns app's configuration."""

from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _after_migrate(sender, plan=None, using="default", **kwargs) -> None:
    from .services.upgrade import after_migrate

    after_migrate(plan=plan, using=using)


class ReturnsConfig(AppConfig):
    name = "returns"
    verbose_name = "Returns"

    def ready(self) -> None:
        # After every migrate: the completion figures' triggers put back if a
        # migration lost them, and, once per upgrade, derived data the new tables
        # need (services/upgrade.py).
        post_migrate.connect(_after_migrate, sender=self)
