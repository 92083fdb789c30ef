"""The shared helpers' app configuration: registers the `id` and `key` path
converters."""

from django.apps import AppConfig
from django.urls import register_converter


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = "Shared helpers"

    def ready(self) -> None:
        from .converters import IdConverter, KeyConverter

        register_converter(IdConverter, "id")
        register_converter(KeyConverter, "key")
