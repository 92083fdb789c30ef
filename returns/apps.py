"""The returns app's configuration."""

from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _after_migrate(sender, plan=None, **kwargs) -> None:
    from .services.upgrade import after_migrate

    after_migrate(plan=plan)


def _season_triggers(sender, using="default", **kwargs) -> None:
    from .figures.completion_season import triggers_ensure

    triggers_ensure(using=using)


class ReturnsConfig(AppConfig):
    name = "returns"
    verbose_name = "Returns"

    def ready(self) -> None:
        # Once per upgrade: derived data the new tables need (services/upgrade.py).
        post_migrate.connect(_after_migrate, sender=self)
        # The completion figures' triggers, put back if a migration lost them.
        post_migrate.connect(_season_triggers, sender=self)
