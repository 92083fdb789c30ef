"""What a token may read, built on the same selectors and figures as the pages.

Every figure comes from `returns.figures` (the one definition): a member's token reads
what the member's pages show (its contracts' approved figures, "while it has been
yours"), a supplier's token its own returns' lines, the team's token everything.
These functions only choose the lines a token may see and arrange rows.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Exists, OuterRef, Prefetch, QuerySet
from django.http import Http404

from frameworks.models import Contract
from returns import figures
from returns.models import AnnualReturn, ReportingYear, ReturnLine, YearMeasure
from returns.selectors import reports
from returns.selectors.reports import AWAITING_LABELS

from .models import ApiToken

Scope = ApiToken.Scope


# --- Which lines a token sees -------------------------------------------------------


def visible_lines(token: ApiToken, *, year=None) -> QuerySet[ReturnLine]:
    """The lines whose existence the token may know: the member's counted lines (its
    page lists them, approved or not), the supplier's own returns' lines, or every
    counted line for the team."""
    if token.scope == Scope.MEMBER:
        return figures.counted_lines(year=year).filter(member=token.member)
    if token.scope == Scope.SUPPLIER:
        return figures.counted_lines(year=year).filter(
            annual_return__supplier=token.supplier
        )
    return figures.counted_lines(year=year)


def figure_lines(token: ApiToken, *, year=None) -> QuerySet[ReturnLine]:
    """The lines whose figures the token may read: a member's only approved ones
    (`reported_lines`, as on the member's pages). For a supplier and the team the
    figures themselves count delivered on approved returns only and show the
    submitted ones apart, as "awaiting review"."""
    if token.scope == Scope.MEMBER:
        return figures.reported_lines(year=year).filter(member=token.member)
    return visible_lines(token, year=year)


def filtered_lines(lines: QuerySet[ReturnLine], filters: dict) -> QuerySet[ReturnLine]:
    if filters.get("year") is not None:
        lines = lines.filter(annual_return__year=filters["year"])
    if filters.get("member") is not None:
        lines = lines.filter(member_id=filters["member"])
    if filters.get("framework") is not None:
        lines = lines.filter(lot__framework_id=filters["framework"])
    if filters.get("supplier") is not None:
        lines = lines.filter(annual_return__supplier_id=filters["supplier"])
    return lines


def status_for(token: ApiToken, status: str) -> str:
    """A return's status as the token's pages show it. A member's pages say only
    "Approved", "Awaiting review" or "Not yet submitted" (never that a return was
    sent back): so does its token."""
    if token.scope != Scope.MEMBER:
        return status
    if status in (AnnualReturn.Status.APPROVED, AnnualReturn.Status.SUBMITTED):
        return status
    return "not_yet_submitted"


# --- Years and measures ---------------------------------------------------------------


def years_for(token: ApiToken | None) -> QuerySet[ReportingYear]:
    """The team sees every year, opened ones too; anyone else the years that have
    returns (issued or imported): a year still being prepared is the team's."""
    years = ReportingYear.objects.order_by("-starts_on")
    if token is not None and token.scope == Scope.TEAM:
        return years
    return years.filter(
        Exists(AnnualReturn.objects.filter(year=OuterRef("pk")).order_by())
    )


def year_for(token: ApiToken | None, slug: str) -> ReportingYear:
    year = years_for(token).filter(label=slug.replace("-", "/", 1)).first()
    if year is None:
        raise Http404
    return year


def year_measures(year: ReportingYear) -> QuerySet[YearMeasure]:
    return (
        YearMeasure.objects.filter(year=year)
        .select_related("measure")
        .order_by("measure__position", "measure__code")
    )


# --- Contracts ----------------------------------------------------------------------


def contracts_for(token: ApiToken, filters: dict) -> QuerySet[Contract]:
    """Contracts with at least one line the token sees (filtered by year, member,
    framework, supplier of the line: the snapshot of that year), each with its
    visible lines prefetched as `visible_lines` (the member by year)."""
    lines = filtered_lines(visible_lines(token), filters)
    return (
        Contract.objects.filter(
            Exists(lines.filter(contract_id=OuterRef("pk")).order_by())
        )
        .select_related("supplier", "member", "lot__framework", "local_authority")
        .prefetch_related(
            Prefetch(
                "return_lines",
                queryset=lines.select_related(
                    "annual_return__year",
                    "annual_return__supplier",
                    "member",
                    "lot__framework",
                ).order_by("annual_return__year__starts_on"),
                to_attr="visible_lines",
            )
        )
    )


def contract_for(token: ApiToken, contract_id: int) -> Contract:
    """One contract the token sees, or 404: another organisation's is not found."""
    contract = contracts_for(token, {}).filter(pk=contract_id).first()
    if contract is None:
        raise Http404
    return contract


@dataclass
class YearFigures:
    year: str
    member: str | None
    status: str
    approved: bool
    spend: Decimal | None = None
    target: Decimal | None = None
    delivered: Decimal | None = None
    awaiting_review: Decimal | None = None
    shortfall: Decimal | None = None
    employment_opportunities: Decimal | None = None
    quantities: dict[str, Decimal] = field(default_factory=dict)


@dataclass
class ContractFigures:
    contract: Contract
    years: list[YearFigures]
    to_date: figures.ContractToDate | None
    to_date_note: str


TO_DATE_NOTES = {
    Scope.MEMBER: (
        "Approved years in which the contract was your organisation's ('while it "
        "has been yours'); years without a line add nothing."
    ),
    Scope.SUPPLIER: "Your returns' lines of every year; years without a line add nothing.",
    Scope.TEAM: "Every issued or imported year; years without a line add nothing.",
}


def contract_figures(token: ApiToken, contract: Contract) -> ContractFigures:
    """A contract's figures in each year it has a visible line, and to date. The
    member's to date is its page's: approved years while the contract was its."""
    visible: dict[str, ReturnLine] = {}
    for line in (
        visible_lines(token)
        .filter(contract=contract)
        .select_related("annual_return__year", "member")
        .order_by("annual_return__year__starts_on", "pk")
    ):
        label = line.annual_return.year.label
        shown = visible.get(label)
        # A contract on two returns in a year (novated): the approved one shows, as
        # on the member's page; the figures add up both.
        if shown is None or (
            shown.annual_return.status != AnnualReturn.Status.APPROVED
            and line.annual_return.status == AnnualReturn.Status.APPROVED
        ):
            visible[label] = line
    lines = figure_lines(token).filter(contract=contract)
    by_year = {
        row["annual_return__year__label"]: row
        for row in figures.figures_by("year", lines=lines)
    }
    quantities = figures.quantities_by("year", lines=lines)
    years = []
    for label, line in visible.items():
        status = line.annual_return.status
        approved = status == AnnualReturn.Status.APPROVED
        row = YearFigures(
            year=label,
            member=line.member.name if line.member else None,
            status=status_for(token, status),
            approved=approved,
        )
        figure = by_year.get(label)
        if figure is not None and (approved or token.scope != Scope.MEMBER):
            by_measure = quantities.get(line.annual_return.year_id, {})
            row.spend = figure["spend"]
            row.target = figure["target"]
            row.delivered = figure["delivered"]
            row.awaiting_review = figure["awaiting_review"]
            row.shortfall = figure["shortfall"]
            row.quantities = by_measure
            row.employment_opportunities = figures.employment_opportunities(by_measure)
        years.append(row)
    to_date_rows = figures.to_date_rows(figures.contracts_to_date(lines=lines))
    return ContractFigures(
        contract=contract,
        years=years,
        to_date=to_date_rows[0] if to_date_rows else None,
        to_date_note=TO_DATE_NOTES[token.scope],
    )


# --- A year's contracts with their figures (the member page's table) --------------------


@dataclass
class YearContractRow:
    contract_id: int
    reference: str
    title: str
    member: str | None
    supplier: str
    framework: str
    lot: str
    local_authority: str
    status: str
    status_label: str
    approved: bool
    spend: Decimal | None = None
    target: Decimal | None = None
    delivered: Decimal | None = None
    awaiting_review: Decimal | None = None
    shortfall: Decimal | None = None
    to_date: figures.ContractToDate | None = None
    employment_opportunities: Decimal | None = None
    quantities: dict[str, Decimal] = field(default_factory=dict)


def year_contract_rows(
    token: ApiToken, *, year: ReportingYear, contract_ids: list[int]
) -> list[YearContractRow]:
    """One row per contract of `contract_ids` (a page of `year_contracts`), as the
    member's page builds its table (`reports.member_year`): the year's figures of
    the lines whose figures the token may read, and to date up to this year. A
    constant number of queries, whatever the page size."""
    lines = visible_lines(token, year=year).filter(contract_id__in=contract_ids)
    readable = figure_lines(token, year=year).filter(contract_id__in=contract_ids)
    rows: dict[int, YearContractRow] = {}
    for line in lines.select_related(
        "contract",
        "annual_return__supplier",
        "lot__framework",
        "local_authority",
        "member",
    ).order_by("contract__reference", "annual_return__status"):
        is_approved = line.annual_return.status == AnnualReturn.Status.APPROVED
        if line.contract_id in rows and (
            rows[line.contract_id].approved or not is_approved
        ):
            continue  # a contract on two returns (novated): the approved one shows
        rows[line.contract_id] = YearContractRow(
            contract_id=line.contract_id,
            reference=line.contract.reference,
            title=line.contract.title,
            member=line.member.name if line.member else None,
            supplier=line.annual_return.supplier.name,
            framework=line.lot.framework.name,
            lot=line.lot.number,
            local_authority=line.local_authority.name if line.local_authority else "",
            status=status_for(token, line.annual_return.status),
            approved=is_approved,
            status_label="Approved"
            if is_approved
            else AWAITING_LABELS.get(line.annual_return.status, ""),
        )
    for figure in figures.figures_by("contract", lines=readable):
        row = rows[figure["contract_id"]]
        row.spend = figure["spend"]
        row.target = figure["target"]
        row.delivered = figure["delivered"]
        row.awaiting_review = figure["awaiting_review"]
        row.shortfall = figure["shortfall"]
    to_date_lines = figure_lines(token).filter(
        annual_return__year__starts_on__lte=year.starts_on,
        contract_id__in=readable.values("contract_id"),
    )
    for to_date in figures.to_date_rows(figures.contracts_to_date(lines=to_date_lines)):
        rows[to_date.contract_id].to_date = to_date
    for contract_id, by_measure in figures.quantities_by(
        "contract", lines=readable
    ).items():
        row = rows[contract_id]
        row.quantities = by_measure
        row.employment_opportunities = figures.employment_opportunities(by_measure)
    return [rows[pk] for pk in contract_ids if pk in rows]


def year_contracts(
    token: ApiToken, *, year: ReportingYear, filters: dict
) -> QuerySet[Contract]:
    """The contracts with a visible line in the year, for paging by reference."""
    lines = filtered_lines(visible_lines(token, year=year), filters)
    return Contract.objects.filter(
        Exists(lines.filter(contract_id=OuterRef("pk")).order_by())
    ).only("pk", "reference")


# --- Returns --------------------------------------------------------------------------


def returns_for(token: ApiToken, filters: dict) -> QuerySet[AnnualReturn]:
    """The team's every return, a supplier's own; members see no returns (their
    pages show lines, never returns)."""
    returns = AnnualReturn.objects.select_related("year", "supplier")
    if token.scope == Scope.SUPPLIER:
        returns = returns.filter(supplier=token.supplier)
    if filters.get("year") is not None:
        returns = returns.filter(year=filters["year"])
    if filters.get("supplier") is not None:
        returns = returns.filter(supplier_id=filters["supplier"])
    if filters.get("member") is not None:
        returns = returns.filter(
            Exists(
                ReturnLine.objects.filter(
                    annual_return=OuterRef("pk"), member_id=filters["member"]
                )
            )
        )
    if filters.get("framework") is not None:
        returns = returns.filter(
            Exists(
                ReturnLine.objects.filter(
                    annual_return=OuterRef("pk"), lot__framework_id=filters["framework"]
                )
            )
        )
    return returns


# --- Team figures, public report ----------------------------------------------------------


def completion_of(year: ReportingYear, *, today: datetime.date) -> dict:
    """The completion page's figures (`figures.completion`), by framework too."""
    return {
        "totals": figures.completion(year=year, today=today),
        "by_framework": figures.completion_by_framework(year=year, today=today),
    }


def published_report(slug: str) -> reports.ImpactReport:
    """The public impact report of a published year; 404 for any other."""
    return reports.impact_report(year=reports.published_year_or_404(slug))
