"""The team's contact details, kept by administrators in the admin."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from accounts.permissions import is_administrator

from .models import TeamContact
from .services import team_contact_update


@admin.register(TeamContact)
class TeamContactAdmin(SimpleHistoryAdmin):
    """Every administrator (the group, not only superusers) keeps these details:
    they are the portal's own words to suppliers, not reference data."""

    list_display = ["name", "email", "phone", "hours", "updated_at"]
    fields = ["name", "email", "phone", "hours"]

    def has_module_permission(self, request):
        return is_administrator(request.user)

    def has_view_permission(self, request, obj=None):
        return is_administrator(request.user)

    def has_change_permission(self, request, obj=None):
        return is_administrator(request.user)

    def has_add_permission(self, request):
        # one row: once it exists, it is changed, not added again
        return is_administrator(request.user) and not TeamContact.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        # Through the service: the one writer, with who changed it in the history.
        saved = team_contact_update(
            name=obj.name,
            email=obj.email,
            phone=obj.phone,
            hours=obj.hours,
            acting_user=request.user,
        )
        obj.pk = saved.pk
