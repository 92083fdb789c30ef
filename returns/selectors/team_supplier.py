"""The team's page of one supplier: its contacts (last sign-in, emails that failed),
contracts, returns by year with status and figures, chase history, queries and
notes. Read only; a fixed number of queries however many rows."""

from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.shortcuts import get_object_or_404

from accounts.models import SupplierContact
from core.numbers import round_credits
from frameworks.models import Contract, Supplier
from returns.models import (
    AnnualReturn,
    LineQuery,
    Notification,
    Reminder,
    ReturnLine,
)
from returns.selectors.review import return_totals

RECENT = 50  # chase history and queries: the latest this many


def team_supplier_get(*, pk: int) -> Supplier:
    return get_object_or_404(Supplier, pk=pk)


def team_contract_get(*, pk: int) -> Contract:
    return get_object_or_404(
        Contract.objects.select_related(
            "supplier", "member", "lot__framework", "local_authority"
        ),
        pk=pk,
    )


@dataclass
class SupplierPage:
    supplier: Supplier
    contacts: list[SupplierContact]
    contracts: list[Contract]
    returns: list[AnnualReturn]
    chases: list[Reminder]
    queries: list[LineQuery]
    # Lines the team took out of every figure, each with its reason: the report
    # excludes nothing silently (issue 23).
    excluded: list[ReturnLine]


def supplier_contacts(*, supplier: Supplier) -> QuerySet[SupplierContact]:
    """Contacts, active first, each with `failed_emails` (ledger rows that could not
    be sent to this person)."""
    failed = Notification.objects.filter(
        recipient=OuterRef("user"), status=Notification.Status.FAILED
    )
    return (
        SupplierContact.objects.filter(supplier=supplier)
        .select_related("user")
        .annotate(has_failed_email=Exists(failed))
        .order_by("-is_active", "-is_primary", "user__email")
    )


def supplier_returns(*, supplier: Supplier) -> list[AnnualReturn]:
    """Every year's return, newest first, each with `line_count`, `target` and
    `entered` (the counted lines' credits as entered, whatever the status: the
    team reviews them). Two queries."""
    returns = list(
        AnnualReturn.objects.filter(supplier=supplier)
        .select_related("year")
        .annotate(line_count=Count("lines", filter=Q(lines__excluded_at__isnull=True)))
        .order_by("-year__starts_on")
    )
    totals = return_totals(return_ids=[r.pk for r in returns])
    for annual_return in returns:
        row = totals.get(annual_return.pk, {})
        annual_return.target = round_credits(row.get("target") or 0)
        annual_return.entered = round_credits(row.get("entered") or 0)
    return returns


def supplier_page(*, supplier: Supplier) -> SupplierPage:
    return SupplierPage(
        supplier=supplier,
        contacts=list(supplier_contacts(supplier=supplier)),
        contracts=list(
            Contract.objects.filter(supplier=supplier)
            .select_related("member", "lot__framework")
            .order_by("-ends_on", "reference")
        ),
        returns=supplier_returns(supplier=supplier),
        chases=list(
            Reminder.objects.filter(annual_return__supplier=supplier)
            .select_related("annual_return__year", "sent_by")
            .order_by("-sent_at")[:RECENT]
        ),
        queries=list(
            LineQuery.objects.filter(line__annual_return__supplier=supplier)
            .select_related("line__contract", "line__annual_return__year", "raised_by")
            .order_by("-raised_at")[:RECENT]
        ),
        excluded=list(
            ReturnLine.objects.filter(
                annual_return__supplier=supplier, excluded_at__isnull=False
            )
            .select_related("contract", "annual_return__year", "excluded_by")
            .order_by("-annual_return__year__starts_on", "contract__reference")
        ),
    )
