"""The Django admin of the returns app, for administrators: read mostly, no deletes."""

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from simple_history.admin import SimpleHistoryAdmin

from core.admin_mixins import NoDeleteAdmin

from .models import (
    AnnualReturn,
    CaseStudy,
    Evidence,
    IssueRun,
    LineQuery,
    Measure,
    MemberCheck,
    MemberEmailPreference,
    Notification,
    Reminder,
    ReportingYear,
    ReturnEntry,
    ReturnEvent,
    ReturnLine,
    YearMeasure,
)


class ReadOnlyLogAdmin(admin.ModelAdmin):
    """Logs are written by services only; the admin shows them."""

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class ReturnsDataAdmin(SimpleHistoryAdmin):
    """Returns data is changed through the portal's services, which keep figures,
    versions and events consistent; the admin is for looking, not editing."""

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(ReportingYear)
class ReportingYearAdmin(NoDeleteAdmin):
    list_display = [
        "label",
        "starts_on",
        "ends_on",
        "issue_on",
        "deadline",
        "ready_at",
        "issued_at",
    ]
    search_fields = ["label"]


@admin.register(Measure)
class MeasureAdmin(NoDeleteAdmin):
    list_display = [
        "code",
        "name",
        "theme",
        "unit",
        "decimal_places",
        "default_credits_per_unit",
        "is_active",
    ]
    list_filter = ["theme", "is_active"]
    search_fields = ["code", "name"]


@admin.register(YearMeasure)
class YearMeasureAdmin(ReturnsDataAdmin):
    list_display = ["year", "measure", "credits_per_unit", "proxy_value"]
    list_filter = ["year", "measure__theme"]
    search_fields = ["measure__code", "measure__name"]
    list_select_related = ["year", "measure"]


@admin.register(IssueRun)
class IssueRunAdmin(ReadOnlyLogAdmin):
    list_display = [
        "year",
        "dry_run",
        "status",
        "started_by",
        "started_at",
        "finished_at",
    ]
    list_filter = ["status", "dry_run", "year"]
    list_select_related = ["year", "started_by"]


@admin.register(AnnualReturn)
class AnnualReturnAdmin(ReturnsDataAdmin):
    list_display = [
        "reference",
        "supplier",
        "year",
        "status",
        "source",
        "submitted_at",
        "approved_at",
    ]
    list_filter = ["year", "status", "source"]
    search_fields = ["reference", "supplier__name", "supplier__reference"]
    list_select_related = ["supplier", "year"]


@admin.register(ReturnLine)
class ReturnLineAdmin(ReturnsDataAdmin):
    list_display = [
        "annual_return",
        "contract",
        "member",
        "spend",
        "target_credits",
        "delivered_credits",
        "version",
    ]
    list_filter = ["annual_return__year", "annual_return__status", "lot__framework"]
    search_fields = ["annual_return__reference", "contract__reference", "member__name"]
    list_select_related = ["annual_return", "contract", "member"]


@admin.register(ReturnEntry)
class ReturnEntryAdmin(ReturnsDataAdmin):
    list_display = ["line", "measure", "quantity"]
    list_filter = ["measure"]
    search_fields = ["line__annual_return__reference", "line__contract__reference"]
    list_select_related = ["line__annual_return", "line__contract", "measure"]


@admin.register(LineQuery)
class LineQueryAdmin(ReturnsDataAdmin):
    list_display = ["line", "raised_by", "raised_at", "answered_at"]
    list_filter = ["answered_at"]
    search_fields = ["line__annual_return__reference", "text"]
    list_select_related = ["line__annual_return", "line__contract", "raised_by"]


@admin.register(MemberCheck)
class MemberCheckAdmin(ReturnsDataAdmin):
    list_display = ["line", "member", "kind", "raised_at", "outcome", "answered_at"]
    list_filter = ["kind", "outcome"]
    search_fields = ["line__annual_return__reference", "line__contract__reference"]
    list_select_related = ["line__annual_return", "line__contract", "member"]


@admin.register(MemberEmailPreference)
class MemberEmailPreferenceAdmin(ReturnsDataAdmin):
    list_display = ["user", "approved_digest", "at_risk", "updated_at"]
    list_select_related = ["user"]


@admin.register(Evidence)
class EvidenceAdmin(ReadOnlyLogAdmin):
    list_display = [
        "original_name",
        "line",
        "content_type",
        "size",
        "uploaded_by",
        "uploaded_at",
        "erased_at",
    ]
    list_filter = ["content_type", "erased_at"]
    search_fields = ["original_name", "line__annual_return__reference"]
    list_select_related = ["line__annual_return", "line__contract", "uploaded_by"]
    # The stored file's own URL is never served (MEDIA_URL is a dead end by design):
    # the admin links to the download view, which checks who is asking.
    exclude = ["file"]
    readonly_fields = ["download"]

    @admin.display(description="File")
    def download(self, obj) -> str:
        if obj.pk is None or not obj.file:
            return "Erased"
        url = reverse("team:evidence_download", kwargs={"evidence_id": obj.pk})
        return format_html('<a href="{}">Download {}</a>', url, obj.original_name)


@admin.register(CaseStudy)
class CaseStudyAdmin(ReturnsDataAdmin):
    list_display = ["title", "line", "consent", "share_with_member", "publication"]
    list_filter = ["publication", "consent", "share_with_member"]
    search_fields = ["title", "line__annual_return__reference"]
    list_select_related = ["line__annual_return", "line__contract"]


@admin.register(Notification)
class NotificationAdmin(ReadOnlyLogAdmin):
    list_display = [
        "recipient",
        "address",
        "annual_return",
        "kind",
        "key",
        "status",
        "attempts",
        "next_attempt_at",
        "sent_at",
    ]
    list_filter = ["kind", "status", "refused"]
    search_fields = ["recipient__email", "address", "annual_return__reference"]
    list_select_related = ["recipient", "annual_return"]


@admin.register(Reminder)
class ReminderAdmin(ReadOnlyLogAdmin):
    list_display = ["annual_return", "channel", "sent_at", "sent_by"]
    list_filter = ["channel"]
    search_fields = ["annual_return__reference", "note"]
    list_select_related = ["annual_return", "sent_by"]


@admin.register(ReturnEvent)
class ReturnEventAdmin(ReadOnlyLogAdmin):
    list_display = ["annual_return", "kind", "actor", "at"]
    list_filter = ["kind"]
    search_fields = ["annual_return__reference", "comment"]
    list_select_related = ["annual_return", "actor"]
