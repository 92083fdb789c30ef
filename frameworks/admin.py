"""The Django admin of reference data, for administrators: no deletes."""

from django.contrib import admin
from django.db import transaction
from simple_history.admin import SimpleHistoryAdmin

from core.admin_mixins import NoDeleteAdmin, NoDeletePlainAdmin
from returns.services.summary import summary_contracts_moved

from .models import (
    Contract,
    DeliveryPlanItem,
    Framework,
    ImportRun,
    LocalAuthority,
    Lot,
    Member,
    Supplier,
    Valuation,
)


@admin.register(LocalAuthority)
class LocalAuthorityAdmin(NoDeleteAdmin):
    list_display = ["code", "name", "kind", "region", "nation", "is_current"]
    list_filter = ["is_current", "nation", "region", "kind"]
    search_fields = ["code", "name", "official_name"]
    raw_id_fields = ["replaced_by"]


@admin.register(Member)
class MemberAdmin(NoDeleteAdmin):
    list_display = ["reference", "name", "kind", "local_authority", "is_active"]
    list_filter = ["is_active", "kind"]
    search_fields = ["reference", "name"]
    list_select_related = ["local_authority"]
    autocomplete_fields = ["local_authority"]


@admin.register(Supplier)
class SupplierAdmin(NoDeleteAdmin):
    list_display = ["reference", "name", "company_number", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["reference", "name", "company_number"]


class LotInline(admin.TabularInline):
    model = Lot
    extra = 0
    can_delete = False


@admin.register(Framework)
class FrameworkAdmin(NoDeleteAdmin):
    list_display = ["reference", "name", "starts_on", "ends_on"]
    search_fields = ["reference", "name"]
    date_hierarchy = "starts_on"
    inlines = [LotInline]


@admin.register(Lot)
class LotAdmin(NoDeleteAdmin):
    list_display = ["framework", "number", "name", "is_consultancy"]
    list_filter = ["is_consultancy", "framework"]
    search_fields = ["number", "name", "framework__name", "framework__reference"]
    list_select_related = ["framework"]


@admin.register(Contract)
class ContractAdmin(NoDeleteAdmin):
    list_display = [
        "reference",
        "title",
        "supplier",
        "member",
        "lot",
        "value",
        "starts_on",
        "ends_on",
        "status",
    ]
    list_filter = ["status", "lot__framework", "lot__is_consultancy"]
    search_fields = ["reference", "title", "supplier__name", "member__name"]
    list_select_related = ["supplier", "member", "lot__framework"]
    autocomplete_fields = ["supplier", "member", "lot", "local_authority"]
    date_hierarchy = "starts_on"

    @transaction.atomic
    def save_model(self, request, obj, form, change):
        was = None
        if change and {"supplier", "member"} & set(form.changed_data):
            was = (
                Contract.objects.filter(pk=obj.pk)
                .values_list("supplier_id", "member_id")
                .get()
            )
        super().save_model(request, obj, form, change)
        if was is not None:
            # Its to-date figures move from the old supplier's or member's group
            # rows to the new one's.
            summary_contracts_moved(
                contract_ids=[obj.pk],
                old_supplier_ids=[was[0]],
                old_member_ids=[was[1]],
            )


@admin.register(Valuation)
class ValuationAdmin(SimpleHistoryAdmin):
    list_display = ["contract", "period_end", "amount"]
    list_filter = ["period_end"]
    search_fields = ["contract__reference", "contract__supplier__name"]
    list_select_related = ["contract"]
    autocomplete_fields = ["contract"]
    date_hierarchy = "period_end"


@admin.register(DeliveryPlanItem)
class DeliveryPlanItemAdmin(SimpleHistoryAdmin):
    list_display = ["contract", "measure", "committed_quantity"]
    list_filter = ["measure__theme", "measure"]
    search_fields = ["contract__reference", "measure__code"]
    list_select_related = ["contract", "measure"]
    autocomplete_fields = ["contract", "measure"]


@admin.register(ImportRun)
class ImportRunAdmin(NoDeletePlainAdmin):
    """Read-only: imports are made and confirmed on the team's import page."""

    list_display = [
        "created_at", "file_name", "kind", "status", "created_by", "created",
        "updated", "unchanged", "error_count",
    ]  # fmt: skip
    list_filter = ["status", "kind"]
    search_fields = ["file_name"]
    list_select_related = ["created_by"]
    # The stored upload's URL is never served (MEDIA_URL is a dead end by design).
    exclude = ["file"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
