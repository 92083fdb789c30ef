"""The portal's configuration: deploy checks and the session stamp at sign-in."""

from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = "Portal"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from . import deploy_checks  # noqa: F401  (registers the checks)
        from .middleware import stamp_session_at_sign_in

        user_logged_in.connect(stamp_session_at_sign_in, dispatch_uid="session-stamp")
