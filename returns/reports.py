"""What members and the annual impact report show, assembled from `returns.figures`.

Every number here comes from a function of `figures.py` (the one definition the team's
shortfall page uses too); this module only chooses the lines, arranges the rows and
labels them. Members and the public see approved returns only (`reported_lines`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import QuerySet
from django.http import Http404

from . import figures
from .figures import ZERO
from .models import AnnualReturn, CaseStudy, ReportingYear

# The outcomes in people (and hours and pounds) that members and the report show,
# in order: (label, measure codes summed, unit, level: 0, or a part of the row above).
OUTCOMES: tuple[tuple[str, tuple[str, ...], str, int], ...] = (
    ("Employment opportunities", figures.EMPLOYMENT_OPPORTUNITIES, "people", 0),
    ("Jobs created", ("EMP-FT", "EMP-PT"), "people", 1),
    ("full-time", ("EMP-FT",), "people", 2),
    ("part-time", ("EMP-PT",), "people", 2),
    ("Jobs sustained", ("EMP-SUS",), "people", 1),
    ("Apprenticeships started", ("APP-NEW",), "people", 1),
    ("Apprenticeships sustained", ("APP-SUS",), "people", 1),
    ("Jobs created for people facing barriers to work", ("EMP-BAR",), "people", 0),
    ("People trained", ("TRN",), "people", 0),
    ("Work experience placements", ("WEX",), "placements", 0),
    ("People given careers advice, mentoring or employability support", ("CAR",),
     "people", 0),
    ("Volunteering", ("VOL",), "hours", 0),
    ("Cash donations", ("DON-CASH",), "£", 0),
    ("In-kind donations", ("DON-KIND",), "£", 0),
    ("Community projects", ("COM",), "projects", 0),
)  # fmt: skip

AWAITING_LABELS = {
    AnnualReturn.Status.SUBMITTED: "Awaiting review",
    AnnualReturn.Status.NOT_STARTED: "Not yet submitted",
    AnnualReturn.Status.IN_PROGRESS: "Not yet submitted",
    AnnualReturn.Status.RETURNED: "Not yet submitted",
}


@dataclass(frozen=True)
class Outcome:
    label: str
    unit: str
    quantity: Decimal
    last_year: Decimal | None = None
    level: int = 0  # 1: part of the row above at level 0; 2: of the row at 1

    @property
    def change(self) -> Decimal | None:
        if self.last_year is None:
            return None
        return self.quantity - self.last_year

    @property
    def change_percent(self) -> Decimal | None:
        if self.last_year is None or not self.last_year:
            return None
        return (self.change * 100 / self.last_year).quantize(Decimal("1"))

    @property
    def is_money(self) -> bool:
        return self.unit == "£"


def outcomes(
    by_measure: dict[str, Decimal], last_year: dict[str, Decimal] | None = None
) -> list[Outcome]:
    def total(values, codes):
        return sum((values.get(code, ZERO) for code in codes), ZERO)

    return [
        Outcome(
            label=label,
            unit=unit,
            quantity=total(by_measure, codes),
            last_year=None if last_year is None else total(last_year, codes),
            level=level,
        )
        for label, codes, unit, level in OUTCOMES
    ]


# --- Member pages ------------------------------------------------------------------


@dataclass
class MemberContractRow:
    contract_id: int
    reference: str
    title: str
    supplier: str
    framework: str
    local_authority: str
    status: str  # the return's status
    approved: bool
    status_label: str
    spend: Decimal | None = None
    target: Decimal | None = None
    delivered: Decimal | None = None
    shortfall: Decimal | None = None
    to_date: figures.ContractToDate | None = None
    employment_opportunities: Decimal | None = None
    quantities: dict[str, Decimal] = field(default_factory=dict)


@dataclass
class MemberYear:
    member: object
    year: ReportingYear
    rows: list[MemberContractRow]
    totals: dict
    outcomes: list[Outcome]
    case_studies: list[CaseStudy]

    @property
    def approved_rows(self) -> list[MemberContractRow]:
        return [row for row in self.rows if row.approved]

    @property
    def awaiting_rows(self) -> list[MemberContractRow]:
        return [row for row in self.rows if not row.approved]


def member_years(*, member) -> QuerySet[ReportingYear]:
    """Years with at least one counted line on the member's contracts, newest first."""
    return ReportingYear.objects.filter(
        returns__lines__in=figures.counted_lines().filter(member=member)
    ).distinct()


def member_year(*, member, year: ReportingYear) -> MemberYear:
    """A member's contracts in a year. Lines on approved returns with their figures in
    the year and over the contract's life (its approved years with this member, up to
    this one); lines on other returns with their state only. A constant number of
    queries, whatever the number of contracts."""
    lines = figures.counted_lines(year=year).filter(member=member)
    approved = figures.reported_lines(year=year).filter(member=member)
    rows: dict[int, MemberContractRow] = {}
    for line in lines.select_related(
        "contract", "annual_return__supplier", "lot__framework", "local_authority"
    ).order_by("contract__reference"):
        is_approved = line.annual_return.status == AnnualReturn.Status.APPROVED
        if line.contract_id in rows and not is_approved:
            continue  # a contract on two returns (novated): the approved one shows
        rows[line.contract_id] = MemberContractRow(
            contract_id=line.contract_id,
            reference=line.contract.reference,
            title=line.contract.title,
            supplier=line.annual_return.supplier.name,
            framework=line.lot.framework.name,
            local_authority=line.local_authority.name if line.local_authority else "",
            status=line.annual_return.status,
            approved=is_approved,
            status_label="Approved"
            if is_approved
            else AWAITING_LABELS.get(line.annual_return.status, ""),
        )
    for figure in figures.figures_by("contract", lines=approved):
        row = rows[figure["contract_id"]]
        row.spend = figure["spend"]
        row.target = figure["target"]
        row.delivered = figure["delivered"]
        row.shortfall = figure["shortfall"]
    to_date_lines = figures.reported_lines().filter(
        member=member, annual_return__year__starts_on__lte=year.starts_on
    )
    for to_date in figures.to_date_rows(
        figures.contracts_to_date(lines=to_date_lines).filter(
            contract_id__in=approved.values("contract_id")
        )
    ):
        rows[to_date.contract_id].to_date = to_date
    by_contract = figures.quantities_by("contract", lines=approved)
    for contract_id, by_measure in by_contract.items():
        rows[contract_id].quantities = by_measure
    for row in rows.values():
        if row.approved:
            row.employment_opportunities = figures.employment_opportunities(
                row.quantities
            )
    case_studies = list(
        member_case_studies(members=[member])
        .filter(line__annual_return__year=year)
        .order_by("line__contract__reference", "created_at")
    )
    return MemberYear(
        member=member,
        year=year,
        rows=list(rows.values()),
        totals=_member_totals(approved),
        outcomes=outcomes(figures.quantities(lines=approved)),
        case_studies=case_studies,
    )


def _member_totals(approved) -> dict:
    """Spend, target, delivered and shortfall of the member's approved lines. The
    shortfall is the shortfall page's: the sum of each contract's shortfall."""
    totals = figures.totals(lines=approved)
    by_contract = figures.shortfall_total(
        figures.shortfall_by("contract", lines=approved)
    )
    totals["shortfall"] = by_contract.shortfall
    totals["contracts_short"] = by_contract.contracts_short
    return totals


def member_case_studies(*, members) -> QuerySet[CaseStudy]:
    """Case studies the supplier shared with the member, on approved, counted lines of
    the member's contracts; erased ones never."""
    return CaseStudy.objects.filter(
        share_with_member=True,
        erased_at__isnull=True,
        line__in=figures.reported_lines().filter(member__in=members),
    ).select_related(
        "line__contract",
        "line__annual_return__supplier",
        "line__annual_return__year",
        "line__member",
    )


MEMBER_EXPORT_HEADER = [
    "Year",
    "Contract",
    "Title",
    "Supplier",
    "Framework",
    "Local authority",
    "Status",
    "Spend in year (£)",
    "Target credits",
    "Credits delivered",
    "Shortfall",
    "Target to date",
    "Delivered to date",
    "Shortfall to date",
    "Approved years to date",
    "Employment opportunities",
]


def member_export_rows(page: MemberYear, measure_codes: list[str]):
    """Rows for the member's xlsx: one per contract; figures blank where the return is
    not approved."""
    for row in page.rows:
        to_date = row.to_date
        yield [
            page.year.label,
            row.reference,
            row.title,
            row.supplier,
            row.framework,
            row.local_authority,
            row.status_label,
            row.spend,
            row.target,
            row.delivered,
            row.shortfall,
            to_date.target if to_date else None,
            to_date.delivered if to_date else None,
            to_date.shortfall if to_date else None,
            to_date.years if to_date else None,
            row.employment_opportunities,
            *(
                row.quantities.get(code, ZERO) if row.approved else None
                for code in measure_codes
            ),
        ]


def member_year_or_404(*, member, year_slug: str | None) -> ReportingYear:
    """The year a member's page shows: the one in the URL, else the latest with
    lines on their contracts, else the current reporting year."""
    years = member_years(member=member)
    if year_slug is None:
        return years.first() or _current_year()
    label = year_slug.replace("-", "/", 1)
    year = ReportingYear.objects.filter(label=label).first()
    if year is None:
        raise Http404
    return year


def _current_year():
    from .selectors import current_reporting_year

    return current_reporting_year()
