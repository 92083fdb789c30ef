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

from returns import figures
from returns.figures import ZERO
from returns.figures.summary import member_to_date_from_summary
from returns.models import AnnualReturn, CaseStudy, ReportingYear
from returns.selectors.member_checks import confirmed_lines_count

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
    ("Time with schools and colleges", ("EDU",), "hours", 0),
    ("Staff given mental health or wellbeing support", ("WEL",), "people", 0),
    ("Spend with suppliers in the member's area", ("SUP-LOC",), "£", 0),
    ("Spend with small businesses, charities and social enterprises", ("SUP-SME",),
     "£", 0),
    ("Carbon emissions saved", ("ENV-CO2",), "tonnes CO2e", 0),
    ("Waste diverted from landfill", ("ENV-WST",), "tonnes", 0),
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
    to_date: Decimal | None = None  # since the first reporting year (running total)

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
    by_measure: dict[str, Decimal],
    last_year: dict[str, Decimal] | None = None,
    to_date: dict[str, Decimal] | None = None,
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
            to_date=None if to_date is None else total(to_date, codes),
        )
        for label, codes, unit, level in OUTCOMES
    ]


@dataclass(frozen=True)
class RunningTotals:
    """Approved figures added up over every reporting year from the first to the
    year shown (the consortium's figures since it began counting). People are
    counted in each year's return, so someone sustained in a job for three years
    counts in each of them: the page says so."""

    first_year: ReportingYear
    year: ReportingYear
    years: int
    target: Decimal
    delivered: Decimal
    quantities: dict
    employment_opportunities: Decimal
    social_value_total: Decimal | None


def running_totals(
    *, year: ReportingYear, lines: QuerySet | None = None
) -> RunningTotals | None:
    """Since the first reporting year, up to and including `year`, over `lines`
    (default every approved line; a member's page passes its own). Each year's
    pounds of social value use that year's proxy values, as its report does. Four
    queries, whatever the number of years and lines."""
    lines = figures.reported_lines() if lines is None else lines
    lines = lines.filter(annual_return__year__starts_on__lte=year.starts_on)
    years = list(
        ReportingYear.objects.filter(starts_on__lte=year.starts_on).order_by(
            "starts_on"
        )
    )
    if not years:
        return None
    sums = figures.totals(lines=lines)
    by_year = figures.quantities_by("year", lines=lines)
    quantities: dict[str, Decimal] = {}
    for year_quantities in by_year.values():
        for code, quantity in year_quantities.items():
            quantities[code] = quantities.get(code, ZERO) + quantity
    social = figures.social_value_over_years(years=years, by_year=by_year)
    return RunningTotals(
        first_year=years[0],
        year=year,
        years=len(years),
        target=sums["target"],
        delivered=sums["delivered"],
        quantities=quantities,
        employment_opportunities=figures.employment_opportunities(quantities),
        social_value_total=social,
    )


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
    running: RunningTotals | None = None

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
    by_contract_figures = figures.figures_by("contract", lines=approved)
    for figure in by_contract_figures:
        row = rows[figure["contract_id"]]
        row.spend = figure["spend"]
        row.target = figure["target"]
        row.delivered = figure["delivered"]
        row.shortfall = figure["shortfall"]
    # To date up to this year, the member's approved years: from the contract
    # summary's rows of the member (the same sums as its reported lines).
    for to_date in figures.to_date_rows(
        member_to_date_from_summary(
            member_id=member.pk,
            up_to=year,
            contract_ids=approved.values("contract_id"),
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
    running = running_totals(
        year=year, lines=figures.reported_lines().filter(member=member)
    )
    return MemberYear(
        member=member,
        year=year,
        rows=list(rows.values()),
        totals=_totals_of_contracts(by_contract_figures),
        outcomes=outcomes(
            _quantities_of_contracts(by_contract.values()),
            to_date=running.quantities if running else None,
        ),
        case_studies=case_studies,
        running=running,
    )


def _totals_of_contracts(rows: list[dict]) -> dict:
    """`_reported_totals` of the lines whose per-contract figures these are, added up
    here rather than asked of the database again: each is an exact sum of exact
    sums (and the shortfall, as the shortfall page's, a sum of contracts')."""
    totals = {
        key: sum((row[key] for row in rows), ZERO)
        for key in ("target", "delivered", "awaiting_review", "spend", "shortfall")
    }
    totals["lines"] = sum(row["lines"] for row in rows)
    totals["contracts_short"] = sum(1 for row in rows if row["shortfall"] > 0)
    return totals


def _quantities_of_contracts(by_contract) -> dict[str, Decimal]:
    """`figures.quantities` of the lines whose per-contract quantities these are."""
    total: dict[str, Decimal] = {}
    for by_measure in by_contract:
        for code, quantity in by_measure.items():
            total[code] = total.get(code, ZERO) + quantity
    return total


def _reported_totals(approved) -> dict:
    """Spend, target, delivered and shortfall of the member's approved lines. The
    shortfall is the shortfall page's: the sum of each contract's shortfall."""
    totals = figures.totals(lines=approved)
    by_contract = figures.ShortfallTable("contract", lines=approved).total()
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


def member_year_or_404(
    *, member, year_slug: str | None, years: list[ReportingYear] | None = None
) -> ReportingYear:
    """The year a member's page shows: the one in the URL, else the latest with
    lines on their contracts (from `years`, the member's `member_years`, if the
    page has them already), else the current reporting year."""
    if year_slug is None:
        if years is None:
            return member_years(member=member).first() or _current_year()
        return years[0] if years else _current_year()
    label = year_slug.replace("-", "/", 1)
    # Usually one of the member's years, which the page has already.
    year = next((y for y in years or () if y.label == label), None)
    if year is None:
        year = ReportingYear.objects.filter(label=label).first()
    if year is None:
        raise Http404
    return year


def _current_year():
    from returns.selectors.years import current_reporting_year

    return current_reporting_year()


# --- The annual impact report -----------------------------------------------------

BREAKDOWNS = (
    ("framework", "By framework", "Framework"),
    ("member", "By member", "Member"),
    ("local_authority", "By local authority", "Local authority"),
    ("region", "By region", "Region"),
)
NOT_RECORDED = "Place not recorded"


@dataclass(frozen=True)
class BreakdownRow:
    name: str
    lines: int
    target: Decimal
    delivered: Decimal
    shortfall: Decimal
    employment_opportunities: Decimal


@dataclass(frozen=True)
class Breakdown:
    group: str
    title: str
    key_label: str
    rows: list[BreakdownRow]


@dataclass(frozen=True)
class MeasureRow:
    code: str
    name: str
    unit: str
    quantity: Decimal
    last_year: Decimal | None


@dataclass
class ImpactReport:
    year: ReportingYear
    last_year: ReportingYear | None
    totals: dict
    last_totals: dict | None
    outcomes: list[Outcome]
    social_value: list[figures.SocialValue]
    social_value_total: Decimal | None
    last_social_value_total: Decimal | None
    breakdowns: list[Breakdown]
    measures: list[MeasureRow]
    case_studies: list[CaseStudy]
    returns_approved: int
    returns_expected: int
    running: RunningTotals | None = None
    lines_confirmed: int = 0  # approved lines whose member confirmed the figures

    @property
    def approved_percent(self) -> int | None:
        """The share of the year's expected returns the report is based on."""
        if not self.returns_expected:
            return None
        share = Decimal(self.returns_approved * 100) / self.returns_expected
        return int(share.quantize(Decimal("1")))

    @property
    def headline(self) -> Outcome:
        return self.outcomes[0]

    @property
    def credits(self) -> Outcome:
        last = self.last_totals["delivered"] if self.last_totals else None
        return Outcome("Credits delivered", "credits", self.totals["delivered"], last)

    @property
    def target(self) -> Outcome:
        last = self.last_totals["target"] if self.last_totals else None
        return Outcome("Target credits", "credits", self.totals["target"], last)

    @property
    def credits_percent(self) -> int | None:
        if not self.totals["target"]:
            return None
        return int(
            (self.totals["delivered"] * 100 / self.totals["target"]).quantize(
                Decimal("1")
            )
        )

    @property
    def social_value_outcome(self) -> Outcome | None:
        if self.social_value_total is None:
            return None
        return Outcome(
            "Social value", "£", self.social_value_total, self.last_social_value_total
        )

    def breakdown(self, group: str) -> Breakdown:
        return next(b for b in self.breakdowns if b.group == group)


def previous_year(year: ReportingYear) -> ReportingYear | None:
    return (
        ReportingYear.objects.filter(starts_on__lt=year.starts_on)
        .order_by("-starts_on")
        .first()
    )


def _breakdown(group: str, title: str, key_label: str, lines) -> Breakdown:
    """The shortfall page's sums per group (`figures.shortfall_by`), with each group's
    employment opportunities: two queries."""
    people = figures.quantities_by(group, lines=lines)
    rows = [
        BreakdownRow(
            name=row.name or NOT_RECORDED,
            lines=row.contracts,
            target=row.target,
            delivered=row.delivered,
            shortfall=row.shortfall,
            employment_opportunities=figures.employment_opportunities(
                people.get(row.key, {})
            ),
        )
        for row in figures.shortfall_by(group, lines=lines)
    ]
    rows.sort(key=lambda r: (r.name == NOT_RECORDED, r.name.lower()))
    return Breakdown(group, title, key_label, rows)


def _social_value_total(rows: list[figures.SocialValue]) -> Decimal | None:
    if not rows:
        return None
    return sum((row.value for row in rows), ZERO)


def impact_report(*, year: ReportingYear) -> ImpactReport:
    """The year's impact report against the year before, from approved returns only.
    A constant number of queries, whatever the number of lines."""
    from returns.models import Measure

    last_year = previous_year(year)
    lines = figures.reported_lines(year=year)
    this_quantities = figures.quantities(lines=lines)
    last_quantities = last_totals = last_social = None
    if last_year is not None:
        last_lines = figures.reported_lines(year=last_year)
        last_quantities = figures.quantities(lines=last_lines)
        last_totals = _reported_totals(last_lines)
        last_social = _social_value_total(
            figures.social_value(year=last_year, by_measure=last_quantities)
        )
    social = figures.social_value(year=year, by_measure=this_quantities)
    measures = [
        MeasureRow(
            code=measure.code,
            name=measure.name,
            unit=measure.unit,
            quantity=this_quantities.get(measure.code, ZERO),
            last_year=None
            if last_quantities is None
            else last_quantities.get(measure.code, ZERO),
        )
        for measure in Measure.objects.filter(is_active=True).order_by(
            "position", "code"
        )
    ]
    counts = figures.status_counts(year=year)
    running = running_totals(year=year)
    return ImpactReport(
        year=year,
        last_year=last_year,
        totals=_reported_totals(lines),
        last_totals=last_totals,
        outcomes=outcomes(
            this_quantities,
            last_quantities,
            to_date=running.quantities if running else None,
        ),
        social_value=social,
        social_value_total=_social_value_total(social),
        last_social_value_total=last_social,
        breakdowns=[
            _breakdown(group, title, key_label, lines)
            for group, title, key_label in BREAKDOWNS
        ],
        measures=measures,
        case_studies=list(public_case_studies(year=year)),
        returns_approved=counts.get(AnnualReturn.Status.APPROVED, 0),
        returns_expected=sum(
            n
            for status, n in counts.items()
            if status != AnnualReturn.Status.NOT_REQUIRED
        ),
        running=running,
        lines_confirmed=confirmed_lines_count(year=year),
    )


def public_case_studies(*, year: ReportingYear) -> QuerySet[CaseStudy]:
    """Case studies the team approved for publication, on approved lines of the year:
    only their public title and story are ever shown."""
    return (
        CaseStudy.objects.filter(
            publication=CaseStudy.Publication.APPROVED,
            erased_at__isnull=True,
            line__in=figures.reported_lines(year=year),
        )
        .exclude(public_title="")
        .exclude(public_story="")
        .select_related("line__local_authority")
        .order_by("approved_at", "pk")
        .only("pk", "public_title", "public_story", "line__local_authority__name")
    )


def published_year_or_404(year_slug: str) -> ReportingYear:
    year = ReportingYear.objects.filter(
        label=year_slug.replace("-", "/", 1), report_published_at__isnull=False
    ).first()
    if year is None:
        raise Http404
    return year


def report_sheets(report: ImpactReport) -> list[tuple[str, list[str], list[list]]]:
    """The report as workbook sheets: (title, header, rows), figures as numbers."""
    last = report.last_year
    last_label = last.label if last else "Year before"
    this_label = report.year.label

    def compare_row(outcome: Outcome) -> list:
        return [
            outcome.label,
            outcome.unit,
            outcome.quantity,
            outcome.last_year,
            outcome.change,
        ]

    headlines = [compare_row(o) for o in report.outcomes]
    headlines.append(compare_row(report.target))
    headlines.append(compare_row(report.credits))
    if report.social_value_outcome is not None:
        headlines.append(compare_row(report.social_value_outcome))
    # Issue 22: what the report is based on, members' confirmations, running totals.
    headlines.append(
        ["Returns approved", "returns", report.returns_approved, None, None]
    )
    headlines.append(
        ["Returns expected", "returns", report.returns_expected, None, None]
    )
    headlines.append(
        ["Contracts whose figures members confirmed", "contracts",
         report.lines_confirmed, None, None]
    )  # fmt: skip
    running = report.running
    if running is not None and running.years > 1:
        since = f"since {running.first_year.label}"
        headlines.append(
            [f"Employment opportunities {since}", "people",
             running.employment_opportunities, None, None]
        )  # fmt: skip
        headlines.append(
            [f"Credits delivered {since}", "credits", running.delivered, None, None]
        )
        if running.social_value_total is not None:
            headlines.append(
                [f"Social value {since}", "£", running.social_value_total, None, None]
            )
    breakdown_header = [
        "Contracts",
        "Target credits",
        "Credits delivered",
        "Shortfall",
        "Employment opportunities",
    ]
    sheets = [
        (
            "Headlines",
            ["Figure", "Unit", this_label, last_label, "Change"],
            headlines,
        ),
        (
            "Social value",
            ["Code", "Measure", "Delivered", "Value per unit (£)", "Social value (£)"],
            [
                [row.code, row.name, row.quantity, row.proxy_value, row.value]
                for row in report.social_value
            ],
        ),
    ]
    for breakdown in report.breakdowns:
        sheets.append(
            (
                breakdown.title,
                [breakdown.key_label, *breakdown_header],
                [
                    [
                        row.name,
                        row.lines,
                        row.target,
                        row.delivered,
                        row.shortfall,
                        row.employment_opportunities,
                    ]
                    for row in breakdown.rows
                ],
            )
        )
    sheets.append(
        (
            "Every measure",
            ["Code", "Measure", "Unit", this_label, last_label],
            [
                [m.code, m.name, m.unit, m.quantity, m.last_year]
                for m in report.measures
            ],
        )
    )
    sheets.append(
        (
            "Case studies",
            ["Title", "Story", "Local authority"],
            [
                [
                    study.public_title,
                    study.public_story,
                    study.line.local_authority.name
                    if study.line.local_authority
                    else "",
                ]
                for study in report.case_studies
            ],
        )
    )
    return sheets
