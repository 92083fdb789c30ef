"""The frameworks app's configuration."""

from django.apps import AppConfig


class FrameworksConfig(AppConfig):
    name = "frameworks"
    verbose_name = "Reference data"
