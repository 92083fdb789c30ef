"""The Django admin of people, for administrators: no deletes."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import ReadOnlyPasswordHashWidget, UserChangeForm
from django.urls import reverse

from core.admin_mixins import NoDeleteAdmin, NoDeletePlainAdmin

from .models import Invitation, MemberViewer, SupplierContact, User


class _PasswordWidget(ReadOnlyPasswordHashWidget):
    """Links to the person's password page by its full address: Django's default
    "../password/" is wrong from a history page (/user/1/history/2/ → 404)."""

    def __init__(self, *args, password_url: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.password_url = password_url

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        if self.password_url:
            context["password_url"] = self.password_url
        return context


class _UserChangeForm(UserChangeForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        password = self.fields.get("password")
        if password and self.instance.pk:
            password.widget = _PasswordWidget(
                password_url=reverse(
                    "admin:auth_user_password_change", args=[self.instance.pk]
                )
            )


@admin.register(User)
class UserAdmin(DjangoUserAdmin, NoDeleteAdmin):
    form = _UserChangeForm
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
