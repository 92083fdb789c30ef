"""Reads that pages, exports and reports share. Anything that depends on who asks
takes `user=` and returns only what that user may see."""

from django.db.models import Count, QuerySet, Sum
from django.shortcuts import get_object_or_404

from accounts.permissions import is_team

from .models import AnnualReturn, ReturnLine


def returns_visible_to(*, user) -> QuerySet[AnnualReturn]:
    """The team sees every return; a contact sees their suppliers' returns."""
    qs = AnnualReturn.objects.select_related("supplier", "year")
    if is_team(user):
        return qs
    return qs.filter(
        supplier__contacts__user=user,
        supplier__contacts__is_active=True,
        supplier__is_active=True,
    )


def supplier_returns_for_user(*, user) -> QuerySet[AnnualReturn]:
    """A contact's own returns with line counts and totals, newest year first."""
    return (
        AnnualReturn.objects.filter(
            supplier__contacts__user=user,
            supplier__contacts__is_active=True,
            supplier__is_active=True,
        )
        .select_related("supplier", "year")
        .annotate(
            line_count=Count("lines"),
            target_total=Sum("lines__target_credits"),
            delivered_total=Sum("lines__delivered_credits"),
        )
        .order_by("-year__starts_on", "supplier__name")
    )


def supplier_return_get(*, user, reference: str) -> AnnualReturn:
    """One return a contact may see, or 404: another supplier's return is not found."""
    return get_object_or_404(
        AnnualReturn.objects.filter(
            supplier__contacts__user=user,
            supplier__contacts__is_active=True,
            supplier__is_active=True,
        ).select_related("supplier", "year"),
        reference=reference,
    )


def return_lines(*, annual_return: AnnualReturn) -> QuerySet[ReturnLine]:
    return (
        ReturnLine.objects.filter(annual_return=annual_return)
        .select_related("contract", "member", "lot__framework")
        .order_by("contract__reference")
    )


def member_lines_for_user(*, user) -> QuerySet[ReturnLine]:
    """Lines on approved returns of the members a viewer follows."""
    return (
        ReturnLine.objects.filter(
            member__viewers__user=user,
            member__viewers__is_active=True,
            annual_return__status=AnnualReturn.Status.APPROVED,
            excluded_at__isnull=True,
        )
        .select_related(
            "annual_return__year", "annual_return__supplier", "contract", "member"
        )
        .order_by("-annual_return__year__starts_on", "contract__reference")
    )


def financial_year_for(day) -> str:
    """The label of the financial year (1 April to 31 March) a date falls in."""
    first = day.year if day.month >= 4 else day.year - 1
    return f"{first}/{(first + 1) % 100:02d}"


def current_reporting_year():
    """The latest year that has been issued; before any issue, the latest opened."""
    from .models import ReportingYear

    issued = ReportingYear.objects.filter(issued_at__isnull=False).order_by(
        "-starts_on"
    )
    return issued.first() or ReportingYear.objects.order_by("-starts_on").first()


def year_by_slug(slug: str):
    """A year from its URL form ("2024-25"), or 404."""
    from .models import ReportingYear

    return get_object_or_404(ReportingYear, label=slug.replace("-", "/", 1))


def object_history(*, kind: str, pk: int):
    """(title, history rows) of a return, line, contract or valuation, with the
    history of what hangs off it (a line's entries; a contract's valuations and
    delivery plan); None when there is no such object, now or in the past."""
    from frameworks.models import Contract, DeliveryPlanItem, Valuation
    from portal.history import history_rows

    from .models import AnnualReturn, Measure, ReturnEntry, ReturnLine

    codes = None

    def measure_code(record) -> str:
        nonlocal codes
        if codes is None:
            codes = dict(Measure.objects.values_list("pk", "code"))
        return codes.get(record.measure_id, "")

    if kind == "return":
        records = list(
            AnnualReturn.history.filter(id=pk).select_related("history_user")
        )
        title = records and f"Return {records[-1].reference}"
        rows = history_rows(records, subject=lambda r: "Return")
    elif kind == "line":
        records = list(ReturnLine.history.filter(id=pk).select_related("history_user"))
        entries = ReturnEntry.history.filter(line_id=pk).select_related("history_user")
        title = (
            records and f"Contract line {pk} of return {records[-1].annual_return_id}"
        )
        rows = history_rows(records, subject=lambda r: "Line") + history_rows(
            entries, subject=lambda r: f"Figure {measure_code(r)}"
        )
    elif kind == "contract":
        records = list(Contract.history.filter(id=pk).select_related("history_user"))
        valuations = Valuation.history.filter(contract_id=pk).select_related(
            "history_user"
        )
        plan = DeliveryPlanItem.history.filter(contract_id=pk).select_related(
            "history_user"
        )
        title = records and f"Contract {records[-1].reference}"
        rows = (
            history_rows(records, subject=lambda r: "Contract")
            + history_rows(
                valuations,
                subject=lambda r: f"Valuation to {r.period_end:%-d %b %Y}",
                exclude={"contract"},
            )
            + history_rows(
                plan,
                subject=lambda r: f"Delivery plan {measure_code(r)}",
                exclude={"contract"},
            )
        )
    elif kind == "valuation":
        records = list(Valuation.history.filter(id=pk).select_related("history_user"))
        title = records and f"Valuation to {records[-1].period_end:%-d %b %Y}"
        rows = history_rows(records, subject=lambda r: "Valuation")
    else:
        return None
    if not records:
        return None
    rows.sort(key=lambda row: row.when)
    return title, rows
