"""The accounts app's configuration: the receivers that keep sessions in step with
two-factor."""

from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "People"

    def ready(self) -> None:
        from allauth.mfa import signals as mfa_signals
        from allauth.mfa.models import Authenticator

        from . import signals

        post_save.connect(
            signals.authenticator_saved,
            sender=Authenticator,
            dispatch_uid="accounts-authenticator-saved",
        )
        post_delete.connect(
            signals.authenticator_deleted,
            sender=Authenticator,
            dispatch_uid="accounts-authenticator-deleted",
        )
        mfa_signals.authenticator_added.connect(
            signals.authenticator_added, dispatch_uid="accounts-authenticator-added"
        )
        mfa_signals.authenticator_removed.connect(
            signals.authenticator_removed,
            dispatch_uid="accounts-authenticator-removed",
        )
