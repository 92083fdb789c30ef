"""The admin of API tokens: administrators see every token (never a secret: only its
hash is stored) with its uses, and revoke any, say one that leaked. Nobody makes a
token here: the person does, on their API tokens page, and sees it once."""

from django.contrib import admin, messages
from django.utils import timezone

from core.admin_mixins import NoDeleteAdmin, NoDeletePlainAdmin

from .models import ApiToken, ScheduledExtract


@admin.register(ApiToken)
class ApiTokenAdmin(NoDeletePlainAdmin):
    list_display = [
        "name",
        "user",
        "scope",
        "member",
        "supplier",
        "created_at",
        "last_used_at",
        "expires_at",
        "revoked_at",
    ]
    list_filter = ["scope"]
    search_fields = ["name", "prefix", "user__email"]
    list_select_related = ["user", "member", "supplier"]
    readonly_fields = [
        "user",
        "scope",
        "member",
        "supplier",
        "name",
        "prefix",
        "created_at",
        "expires_at",
        "last_used_at",
        "revoked_at",
    ]
    exclude = ["token_hash"]
    actions = ["revoke"]

    def has_add_permission(self, request) -> bool:
        return False

    @admin.action(description="Revoke the selected tokens")
    def revoke(self, request, queryset):
        count = queryset.filter(revoked_at__isnull=True).update(
            revoked_at=timezone.now()
        )
        self.message_user(request, f"Revoked {count} token(s).", messages.SUCCESS)


@admin.register(ScheduledExtract)
class ScheduledExtractAdmin(NoDeleteAdmin):
    list_display = ["member", "is_active", "created_by", "created_at"]
    readonly_fields = ["member", "created_by", "created_at"]

    def has_add_permission(self, request) -> bool:
        return False
