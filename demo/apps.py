"""The demo app's configuration (its commands: load_demo, demo_logins)."""

from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "demo"
    verbose_name = "Demo consortium"
