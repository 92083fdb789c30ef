"""The Django admin of people, for administrators: no deletes."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

from core.admin_mixins import NoDeleteAdmin, NoDeletePlainAdmin

from .models import Invitation, MemberViewer, SupplierContact, User


@admin.register(User)
class UserAdmin(DjangoUserAdmin, NoDeleteAdmin):
    ordering = ["email"]
    list_display = ["email", "full_name", "is_active", "is_staff", "last_login"]
    list_filter = ["is_active", "is_staff", "is_superuser", "groups"]
    search_fields = ["email", "full_name"]
    readonly_fields = ["last_login", "date_joined"]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        ("Person", {"fields": ("full_name",)}),
        (
            "Access",
            {"fields": ("is_active", "is_staff", "is_superuser", "groups")},
        ),
        ("Dates", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("email", "full_name", "password1", "password2"),
            },
        ),
    )


@admin.register(SupplierContact)
class SupplierContactAdmin(NoDeleteAdmin):
    list_display = ["user", "supplier", "phone", "is_primary", "is_active"]
    list_filter = ["is_primary", "is_active"]
    search_fields = [
        "user__email",
        "user__full_name",
        "supplier__name",
        "supplier__reference",
    ]
    list_select_related = ["user", "supplier"]
    autocomplete_fields = ["user", "supplier"]


@admin.register(MemberViewer)
class MemberViewerAdmin(NoDeleteAdmin):
    list_display = ["user", "member", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["user__email", "member__name", "member__reference"]
    list_select_related = ["user", "member"]
    autocomplete_fields = ["user", "member"]


@admin.register(Invitation)
class InvitationAdmin(NoDeletePlainAdmin):
    list_display = [
        "email",
        "supplier",
        "member",
        "sent_at",
        "expires_at",
        "accepted_at",
    ]
    list_filter = ["accepted_at", "sent_at"]
    search_fields = ["email", "supplier__name", "member__name"]
    list_select_related = ["supplier", "member"]
    readonly_fields = [
        "token_hash",
        "send_key",
        "send_count",
        "sent_at",
        "expires_at",
        "accepted_at",
        "withdrawn_at",
        "withdrawn_by",
    ]
    autocomplete_fields = ["supplier", "member", "invited_by", "user"]
