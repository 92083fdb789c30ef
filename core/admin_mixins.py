"""Admin classes that hide delete: reference rows and users are deactivated, never
deleted (DESIGN, Keeping data)."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin


class NoDeleteMixin:
    """Reference rows and people are deactivated, never deleted."""

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions


class NoDeleteAdmin(NoDeleteMixin, SimpleHistoryAdmin):
    """For models with history: the admin shows it."""


class NoDeletePlainAdmin(NoDeleteMixin, admin.ModelAdmin):
    """For models without history."""
