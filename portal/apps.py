"""The portal's configuration: deploy checks and the session stamp at sign-in."""

from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = "Portal"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from . import deploy_checks  # noqa: F401  (registers the checks)
        from .middleware import stamp_session_at_sign_in

        user_logged_in.connect(stamp_session_at_sign_in, dispatch_uid="session-stamp")


class PortalAdminConfig(admin_apps.AdminConfig):
    """The Django admin, on the portal's site (`portal.admin_site`): its guard turns
    hostile values in admin URLs into "not found" rather than a server error."""

    default = False  # PortalConfig is this module's app; this one is named in settings
    default_site = "portal.admin_site.PortalAdminSite"
