"""The team's contact details, kept by administrators in the admin."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import TeamContact
from .services import team_contact_update


@admin.register(TeamContact)
class TeamContactAdmin(SimpleHistoryAdmin):
    list_display = ["name", "email", "phone", "hours", "updated_at"]
    fields = ["name", "email", "phone", "hours"]

    def has_add_permission(self, request):
        return super().has_add_permission(request) and not TeamContact.objects.exists()

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
