"""The figures every page, export and report uses (DESIGN "Figures"), defined once.

- A line counts when it is not excluded and its return is not `not_required`.
- Target counts on every counted line; delivered counts approved returns only;
  "awaiting review" is the delivered credits of submitted returns, shown separately.
- Contract to date sums those over all years that have a line for the contract.
- At risk: ends within 183 days of today (London) and below target to date.
  Ended short: has ended and is below target to date.

Database sums are rounded as Round(Sum(...), 2): on SQLite a SUM is a float.
"""

import datetime
import zoneinfo
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Case, Count, DecimalField, F, Q, QuerySet, Sum, Value, When
from django.db.models.functions import Coalesce, Round, TruncDate

from portal.numbers import round_credits, round_money

from .models import AnnualReturn, ReturnLine

AT_RISK_DAYS = 183
ZERO = Decimal("0.00")
_CREDITS = DecimalField(max_digits=14, decimal_places=2)
_MONEY = DecimalField(max_digits=16, decimal_places=2)

GROUPS = {
    "contract": ("contract_id", "contract__reference", "contract__title"),
    "supplier": ("annual_return__supplier_id", "annual_return__supplier__name"),
    "framework": ("lot__framework_id", "lot__framework__name"),
    "member": ("member_id", "member__name"),
    "local_authority": ("local_authority_id", "local_authority__name"),
    "region": ("local_authority__region",),
    "year": ("annual_return__year_id", "annual_return__year__label"),
}


def counted_lines(*, year=None) -> QuerySet[ReturnLine]:
    lines = ReturnLine.objects.filter(excluded_at__isnull=True).exclude(
        annual_return__status=AnnualReturn.Status.NOT_REQUIRED
    )
    if year is not None:
        lines = lines.filter(annual_return__year=year)
    return lines


def _sum(expression, field=_CREDITS):
    return Round(Coalesce(Sum(expression), Value(0), output_field=field), 2)


def _delivered_when(status):
    return Case(
        When(annual_return__status=status, then=F("delivered_credits")),
        default=Value(0),
        output_field=_CREDITS,
    )


FIGURES = {
    "target": lambda: _sum("target_credits"),
    "delivered": lambda: _sum(_delivered_when(AnnualReturn.Status.APPROVED)),
    "awaiting_review": lambda: _sum(_delivered_when(AnnualReturn.Status.SUBMITTED)),
    "spend": lambda: _sum("spend", _MONEY),
    "lines": lambda: Count("id"),
}


def _clean(row: dict) -> dict:
    for key in ("target", "delivered", "awaiting_review"):
        row[key] = round_credits(row[key] or 0)
    row["spend"] = round_money(row["spend"] or 0)
    row["shortfall"] = max(row["target"] - row["delivered"], ZERO)
    return row


def figures_by(group: str, *, lines: QuerySet[ReturnLine]) -> list[dict]:
    """Target, delivered (approved), awaiting review, spend, shortfall and line count
    per group (one of GROUPS), in one query."""
    keys = GROUPS[group]
    rows = (
        lines.order_by()
        .values(*keys)
        .annotate(**{name: make() for name, make in FIGURES.items()})
        .order_by(*keys[1:2] or keys)
    )
    return [_clean(dict(row)) for row in rows]


def totals(*, lines: QuerySet[ReturnLine]) -> dict:
    row = lines.order_by().aggregate(**{name: make() for name, make in FIGURES.items()})
    return _clean(row)


@dataclass(frozen=True)
class ContractToDate:
    contract_id: int
    reference: str
    title: str
    supplier: str
    member: str
    ends_on: datetime.date
    status: str
    target: Decimal
    delivered: Decimal
    awaiting_review: Decimal
    years: int

    @property
    def shortfall(self) -> Decimal:
        return max(self.target - self.delivered, ZERO)

    @property
    def below_target(self) -> bool:
        return self.delivered < self.target

    def days_left(self, today: datetime.date) -> int:
        return (self.ends_on - today).days


def contracts_to_date(*, lines: QuerySet[ReturnLine] | None = None) -> QuerySet:
    """Per contract over all its years: target, delivered, awaiting review, and how
    many years have a counted line. Filter `lines` to scope (a member, a supplier)."""
    lines = counted_lines() if lines is None else lines
    return (
        lines.order_by()
        .values(
            "contract_id",
            "contract__reference",
            "contract__title",
            "contract__supplier__name",
            "contract__member__name",
            "contract__ends_on",
            "contract__status",
        )
        .annotate(
            target=FIGURES["target"](),
            delivered=FIGURES["delivered"](),
            awaiting_review=FIGURES["awaiting_review"](),
            years=Count("annual_return__year", distinct=True),
        )
    )


def _to_date_rows(rows) -> list[ContractToDate]:
    return [
        ContractToDate(
            contract_id=row["contract_id"],
            reference=row["contract__reference"],
            title=row["contract__title"],
            supplier=row["contract__supplier__name"],
            member=row["contract__member__name"],
            ends_on=row["contract__ends_on"],
            status=row["contract__status"],
            target=round_credits(row["target"] or 0),
            delivered=round_credits(row["delivered"] or 0),
            awaiting_review=round_credits(row["awaiting_review"] or 0),
            years=row["years"],
        )
        for row in rows
    ]


def contracts_at_risk(
    *, today: datetime.date, lines: QuerySet[ReturnLine] | None = None
) -> list[ContractToDate]:
    """Contracts ending within 183 days of today and below target to date, soonest
    first."""
    rows = (
        contracts_to_date(lines=lines)
        .filter(
            contract__ends_on__gte=today,
            contract__ends_on__lte=today + datetime.timedelta(days=AT_RISK_DAYS),
            delivered__lt=F("target"),
        )
        .order_by("contract__ends_on", "contract__reference")
    )
    return _to_date_rows(rows)


def contracts_ended_short(
    *, today: datetime.date, lines: QuerySet[ReturnLine] | None = None
) -> list[ContractToDate]:
    rows = (
        contracts_to_date(lines=lines)
        .filter(contract__ends_on__lt=today, delivered__lt=F("target"))
        .order_by("-contract__ends_on", "contract__reference")
    )
    return _to_date_rows(rows)


def contract_to_date(*, contract_id: int) -> ContractToDate | None:
    rows = _to_date_rows(
        contracts_to_date(lines=counted_lines().filter(contract_id=contract_id))
    )
    return rows[0] if rows else None


def to_date_rows(rows) -> list[ContractToDate]:
    return _to_date_rows(rows)


def status_counts(*, year) -> dict[str, int]:
    return dict(
        AnnualReturn.objects.filter(year=year)
        .values_list("status")
        .annotate(n=Count("id"))
        .order_by()
    )


def submitted_filter() -> Q:
    """A return counts as submitted once it has ever been submitted (a return sent
    back and resubmitted counts once), or is submitted or approved."""
    return Q(first_submitted_at__isnull=False) | Q(
        status__in=[AnnualReturn.Status.SUBMITTED, AnnualReturn.Status.APPROVED]
    )


# --- Shortfall: target against delivery, in a year or over each contract's life ---

SHORTFALL_GROUPS = {
    # group: (key, name); the contract group carries its supplier, member, framework.
    "contract": ("contract_id", "contract__reference"),
    "supplier": ("annual_return__supplier_id", "annual_return__supplier__name"),
    "framework": ("lot__framework_id", "lot__framework__name"),
    "member": ("member_id", "member__name"),
}


@dataclass
class ShortfallRow:
    """Figures of one group (a contract, supplier, framework or member) in a period.

    `shortfall` is the sum of its contracts' shortfalls, each `max(target - delivered,
    0)` over the period's counted lines: a contract that delivered more than its
    target does not make good another contract's shortfall.
    """

    key: int
    name: str
    target: Decimal = ZERO
    delivered: Decimal = ZERO
    awaiting_review: Decimal = ZERO
    shortfall: Decimal = ZERO
    contracts: int = 0
    contracts_short: int = 0
    # Only on contract rows:
    title: str = ""
    supplier: str = ""
    member: str = ""
    framework: str = ""
    ends_on: datetime.date | None = None
    years: int = 0

    def add(self, *, target, delivered, awaiting_review) -> None:
        short = max(target - delivered, ZERO)
        self.target += target
        self.delivered += delivered
        self.awaiting_review += awaiting_review
        self.shortfall += short
        self.contracts += 1
        self.contracts_short += 1 if short > 0 else 0


def shortfall_lines(
    *,
    year=None,
    supplier_id: int | None = None,
    framework_id: int | None = None,
    member_id: int | None = None,
    search: str = "",
) -> QuerySet[ReturnLine]:
    """Counted lines of one year (or of all years: to date), narrowed by the team's
    filters. `search` matches a contract's reference or title, or the supplier's or
    member's name."""
    lines = counted_lines(year=year)
    if supplier_id:
        lines = lines.filter(annual_return__supplier_id=supplier_id)
    if framework_id:
        lines = lines.filter(lot__framework_id=framework_id)
    if member_id:
        lines = lines.filter(member_id=member_id)
    if search:
        lines = lines.filter(
            Q(contract__reference__icontains=search)
            | Q(contract__title__icontains=search)
            | Q(annual_return__supplier__name__icontains=search)
            | Q(member__name__icontains=search)
        )
    return lines


_CONTRACT_FIELDS = (
    "contract__title",
    "contract__supplier__name",
    "contract__member__name",
    "contract__lot__framework__name",
    "contract__ends_on",
)


def shortfall_by(group: str, *, lines: QuerySet[ReturnLine]) -> list[ShortfallRow]:
    """Target, delivered (approved), awaiting review and shortfall per group (one of
    SHORTFALL_GROUPS) over `lines`, in one query, ordered by name.

    The database sums each contract's lines within each group; the contracts are then
    added up here, so that the shortfall of a group is the sum of its contracts'
    shortfalls. Over all years (`shortfall_lines()` without a year) these are the
    contracts' to-date figures; years without a line add nothing.
    """
    key_field, name_field = SHORTFALL_GROUPS[group]
    fields = ["contract_id", key_field, name_field]
    if group == "contract":
        fields = ["contract_id", "contract__reference", *_CONTRACT_FIELDS]
    per_contract = (
        lines.order_by()
        .values(*fields)
        .annotate(
            target=FIGURES["target"](),
            delivered=FIGURES["delivered"](),
            awaiting_review=FIGURES["awaiting_review"](),
            years=Count("annual_return__year", distinct=True),
        )
    )
    rows: dict[int, ShortfallRow] = {}
    for item in per_contract:
        key = item[key_field]
        row = rows.get(key)
        if row is None:
            row = rows[key] = ShortfallRow(key=key, name=item[name_field] or "")
            if group == "contract":
                row.title = item["contract__title"]
                row.supplier = item["contract__supplier__name"]
                row.member = item["contract__member__name"]
                row.framework = item["contract__lot__framework__name"]
                row.ends_on = item["contract__ends_on"]
                row.years = item["years"]
        row.add(
            target=round_credits(item["target"] or 0),
            delivered=round_credits(item["delivered"] or 0),
            awaiting_review=round_credits(item["awaiting_review"] or 0),
        )
    return sorted(rows.values(), key=lambda row: (row.name.lower(), row.key))


def shortfall_total(rows: list[ShortfallRow]) -> ShortfallRow:
    """The sum of the rows shown (every total is a sum of line values)."""
    total = ShortfallRow(key=0, name="Total")
    for row in rows:
        total.target += row.target
        total.delivered += row.delivered
        total.awaiting_review += row.awaiting_review
        total.shortfall += row.shortfall
        total.contracts += row.contracts
        total.contracts_short += row.contracts_short
    return total


def shortfall_total_of_contracts(rows: list[ContractToDate]) -> ShortfallRow:
    """The sum of a list of contracts' to-date figures (at risk, ended short)."""
    total = ShortfallRow(key=0, name="Total")
    for row in rows:
        total.add(
            target=row.target,
            delivered=row.delivered,
            awaiting_review=row.awaiting_review,
        )
    return total


# ---------------------------------------------------------------------------------
# Reported figures: what members and the impact report see (issue 10).
#
# Members and the public never see figures of unapproved returns, so everything they
# see is computed over `reported_lines`: the counted lines of approved returns. Target
# and delivered then cover the same lines. Quantities are summed per measure in one
# query; the headline, employment opportunities, is the sum of its five measures.
# ---------------------------------------------------------------------------------

# The report's breakdowns by place use the shortfall page's sums too.
SHORTFALL_GROUPS.setdefault(
    "local_authority", ("local_authority_id", "local_authority__name")
)
SHORTFALL_GROUPS.setdefault(
    "region", ("local_authority__region", "local_authority__region")
)

EMPLOYMENT_OPPORTUNITIES = ("EMP-FT", "EMP-PT", "EMP-SUS", "APP-NEW", "APP-SUS")
POUNDS = "£"


def reported_lines(*, year=None) -> QuerySet[ReturnLine]:
    """Counted lines of approved returns: the only lines members and the public see."""
    return counted_lines(year=year).filter(
        annual_return__status=AnnualReturn.Status.APPROVED
    )


def _quantity_sum():
    return Round(
        Coalesce(
            Sum("quantity"),
            Value(0),
            output_field=DecimalField(max_digits=16, decimal_places=2),
        ),
        2,
    )


def quantities(*, lines: QuerySet[ReturnLine]) -> dict[str, Decimal]:
    """Measure code → quantity delivered on `lines`, in one query. Measures with no
    entry are absent (read them with `.get(code, ZERO)`)."""
    from .models import ReturnEntry

    rows = (
        ReturnEntry.objects.filter(line__in=lines.order_by().values("pk"))
        .order_by()
        .values("measure__code")
        .annotate(total=_quantity_sum())
    )
    return {row["measure__code"]: round_money(row["total"]) for row in rows}


def quantities_by(group: str, *, lines: QuerySet[ReturnLine]) -> dict:
    """Group key (the first of GROUPS[group]) → {measure code → quantity}, one query."""
    from .models import ReturnEntry

    key = f"line__{GROUPS[group][0]}"
    rows = (
        ReturnEntry.objects.filter(line__in=lines.order_by().values("pk"))
        .order_by()
        .values(key, "measure__code")
        .annotate(total=_quantity_sum())
    )
    out: dict = {}
    for row in rows:
        out.setdefault(row[key], {})[row["measure__code"]] = round_money(row["total"])
    return out


def employment_opportunities(by_measure: dict[str, Decimal]) -> Decimal:
    """The headline: jobs created full- and part-time, jobs sustained, apprenticeships
    started and sustained. Always the sum of its five parts."""
    return sum((by_measure.get(code, ZERO) for code in EMPLOYMENT_OPPORTUNITIES), ZERO)


@dataclass(frozen=True)
class SocialValue:
    code: str
    name: str
    quantity: Decimal
    proxy_value: Decimal | None  # None: a measure in pounds, counted as pounds
    value: Decimal


def social_value(*, year, by_measure: dict[str, Decimal]) -> list[SocialValue]:
    """£ social value of each measure the year can value: one with a proxy value set
    by the team (quantity × proxy), or one counted in pounds (its pounds, unless the
    team set a proxy for it). Measures with neither are left out. One query."""
    from .models import YearMeasure

    rows = []
    for year_measure in YearMeasure.objects.filter(year=year).select_related("measure"):
        measure = year_measure.measure
        quantity = by_measure.get(measure.code, ZERO)
        proxy = year_measure.proxy_value
        if proxy is not None:
            value = round_money(quantity * proxy)
        elif measure.unit == POUNDS:
            value = round_money(quantity)
        else:
            continue
        rows.append(SocialValue(measure.code, measure.name, quantity, proxy, value))
    return rows


# Completion (DESIGN "Figures": expected, submitted, completion and on-time rates).

CHASED = (AnnualReturn.Status.NOT_STARTED, AnnualReturn.Status.IN_PROGRESS)
LONDON = zoneinfo.ZoneInfo("Europe/London")


def effective_deadline() -> Coalesce:
    """The return's extension, else its year's deadline (a date: the end of that day
    in London)."""
    return Coalesce("extended_deadline", "year__deadline")


def chased_returns() -> QuerySet[AnnualReturn]:
    """Returns the reminders chase: issued, not started or in progress. None once
    submitted (or sent back after a submission), approved or not required."""
    return AnnualReturn.objects.filter(
        status__in=CHASED, source=AnnualReturn.Source.ISSUED
    )


def expected_filter() -> Q:
    return ~Q(status=AnnualReturn.Status.NOT_REQUIRED) & Q(
        source=AnnualReturn.Source.ISSUED
    )


def overdue_filter(*, today: datetime.date) -> Q:
    """Not started or in progress, and today (London) is past the effective
    deadline. A return with the supplier for amendment is not overdue."""
    return Q(status__in=CHASED, effective_deadline_day__lt=today)


def on_time_filter() -> Q:
    """First submitted on or before the effective deadline, London time; kept
    through later resubmissions."""
    return Q(
        first_submitted_at__isnull=False,
        first_submitted_day__lte=F("effective_deadline_day"),
    )


def with_deadlines(returns: QuerySet[AnnualReturn]) -> QuerySet[AnnualReturn]:
    """Annotates `effective_deadline_day` and `first_submitted_day` (London)."""
    return returns.annotate(
        effective_deadline_day=effective_deadline(),
        first_submitted_day=TruncDate("first_submitted_at", tzinfo=LONDON),
    )


COMPLETION_STATUSES = {
    "not_started": AnnualReturn.Status.NOT_STARTED,
    "in_progress": AnnualReturn.Status.IN_PROGRESS,
    "awaiting_review": AnnualReturn.Status.SUBMITTED,
    "returned": AnnualReturn.Status.RETURNED,
    "approved": AnnualReturn.Status.APPROVED,
}


def _completion_aggregates(today: datetime.date) -> dict:
    expected = expected_filter()
    counts = {
        "expected": Count("id", filter=expected),
        "submitted": Count("id", filter=expected & submitted_filter()),
        "on_time": Count("id", filter=expected & on_time_filter()),
        "overdue": Count("id", filter=expected & overdue_filter(today=today)),
        "not_required": Count("id", filter=Q(status=AnnualReturn.Status.NOT_REQUIRED)),
    }
    for name, status in COMPLETION_STATUSES.items():
        counts[name] = Count("id", filter=expected & Q(status=status))
    return counts


def rate(part: int, whole: int) -> Decimal | None:
    """A percentage to one place, half-up; None when there is nothing to divide by."""
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(
        Decimal("0.1"), rounding=ROUND_HALF_UP
    )


def _completion_row(row: dict) -> dict:
    row["late"] = row["submitted"] - row["on_time"]
    row["completion_rate"] = rate(row["submitted"], row["expected"])
    row["on_time_rate"] = rate(row["on_time"], row["expected"])
    return row


def completion(*, year, today: datetime.date) -> dict:
    """The year's completion figures in one query: expected, submitted (ever,
    counted once), on time, late, overdue, not required, each open status, and the
    completion and on-time rates (percentages)."""
    row = with_deadlines(AnnualReturn.objects.filter(year=year)).aggregate(
        **_completion_aggregates(today)
    )
    return _completion_row(row)


def completion_by_framework(*, year, today: datetime.date) -> list[dict]:
    """The same figures per framework, in one query: a return counts under every
    framework it has a counted (not excluded) line in."""
    rows = (
        with_deadlines(
            AnnualReturn.objects.filter(year=year, lines__excluded_at__isnull=True)
        )
        .values("lines__lot__framework_id", "lines__lot__framework__name")
        .annotate(
            **{
                name: Count("id", filter=aggregate.filter, distinct=True)
                for name, aggregate in _completion_aggregates(today).items()
            }
        )
        .order_by("lines__lot__framework__name")
    )
    return [
        _completion_row(
            {
                **row,
                "framework_id": row.pop("lines__lot__framework_id"),
                "framework": row.pop("lines__lot__framework__name"),
            }
        )
        for row in rows
    ]


def submissions_by_day(*, year) -> dict[datetime.date, int]:
    """First submissions per London day among the year's expected returns."""
    return dict(
        with_deadlines(AnnualReturn.objects.filter(year=year))
        .filter(expected_filter(), first_submitted_at__isnull=False)
        .values_list("first_submitted_day")
        .annotate(n=Count("id"))
        .order_by()
    )


# --- Review: this year's quantities against last year and the delivery plan -------

BIG_CHANGE_SHARE = Decimal("0.5")
BIG_CHANGE_UNITS = Decimal("5")


def is_big_change(value: Decimal, reference: Decimal | None) -> bool:
    """DESIGN "Figures": at least ±50% and at least 5 units against the reference
    (last year's figure, or the delivery plan's pro-rata share). Growth from nothing
    to 5 or more is big; no reference, no flag."""
    if reference is None:
        return False
    difference = abs(value - reference)
    if difference < BIG_CHANGE_UNITS:
        return False
    if reference == 0:
        return True
    return difference / reference >= BIG_CHANGE_SHARE


def plan_share(
    committed: Decimal,
    *,
    contract_starts: datetime.date,
    contract_ends: datetime.date,
    year_starts: datetime.date,
    year_ends: datetime.date,
) -> Decimal:
    """A year's pro-rata share of a quantity committed over the whole contract: by
    the days of the contract that fall in the year."""
    contract_days = (contract_ends - contract_starts).days + 1
    if contract_days <= 0:
        return ZERO
    overlap = (min(contract_ends, year_ends) - max(contract_starts, year_starts)).days
    overlap = max(overlap + 1, 0)
    return round_credits(Decimal(committed) * overlap / contract_days)


@dataclass
class MeasureComparison:
    code: str
    name: str
    unit: str
    this_year: Decimal  # a blank measure means none: 0
    entered: bool  # whether a figure (even 0) was entered this year
    last_year: Decimal | None  # None: no approved line last year
    plan: Decimal | None  # None: the delivery plan has no such measure
    big_against_last_year: bool
    big_against_plan: bool

    @property
    def is_big(self) -> bool:
        return self.big_against_last_year or self.big_against_plan


def previous_year(year):
    from .models import ReportingYear

    return (
        ReportingYear.objects.filter(ends_on__lt=year.starts_on)
        .order_by("-starts_on")
        .first()
    )


def line_comparisons(*, lines: list[ReturnLine], year) -> dict[int, list]:
    """For each line (id → list of MeasureComparison, in catalogue order): every
    measure it has a figure for this year, had last year (the contract's approved,
    counted line of the year before) or has in its delivery plan, with big changes
    flagged. A fixed number of queries, whatever the number of lines."""
    from frameworks.models import DeliveryPlanItem

    from .models import Measure, ReturnEntry

    if not lines:
        return {}
    line_ids = [line.pk for line in lines]
    contract_ids = {line.contract_id for line in lines}
    this_year: dict[int, dict[int, Decimal]] = {}
    for line_id, measure_id, quantity in ReturnEntry.objects.filter(
        line_id__in=line_ids
    ).values_list("line_id", "measure_id", "quantity"):
        this_year.setdefault(line_id, {})[measure_id] = Decimal(quantity)
    last_year: dict[int, dict[int, Decimal]] = {}
    before = previous_year(year)
    if before is not None:
        for contract_id, measure_id, quantity in ReturnEntry.objects.filter(
            line__annual_return__year=before,
            line__annual_return__status=AnnualReturn.Status.APPROVED,
            line__excluded_at__isnull=True,
            line__contract_id__in=contract_ids,
        ).values_list("line__contract_id", "measure_id", "quantity"):
            last_year.setdefault(contract_id, {})[measure_id] = Decimal(quantity)
        had_line = set(
            counted_lines(year=before)
            .filter(
                contract_id__in=contract_ids,
                annual_return__status=AnnualReturn.Status.APPROVED,
            )
            .values_list("contract_id", flat=True)
        )
    else:
        had_line = set()
    plans: dict[int, dict[int, Decimal]] = {}
    for contract_id, measure_id, committed in DeliveryPlanItem.objects.filter(
        contract_id__in=contract_ids
    ).values_list("contract_id", "measure_id", "committed_quantity"):
        plans.setdefault(contract_id, {})[measure_id] = Decimal(committed)
    measure_ids = set()
    for mapping in (*this_year.values(), *last_year.values(), *plans.values()):
        measure_ids.update(mapping)
    measures = Measure.objects.in_bulk(list(measure_ids))
    order = sorted(measures.values(), key=lambda m: (m.position, m.code))
    result = {}
    for line in lines:
        mine = this_year.get(line.pk, {})
        before_figures = last_year.get(line.contract_id, {})
        plan = plans.get(line.contract_id, {})
        rows = []
        for measure in order:
            if not (
                measure.pk in mine or measure.pk in before_figures or measure.pk in plan
            ):
                continue
            value = mine.get(measure.pk, ZERO)
            last = (
                before_figures.get(measure.pk, ZERO)
                if line.contract_id in had_line
                else None
            )
            share = None
            if measure.pk in plan:
                share = plan_share(
                    plan[measure.pk],
                    contract_starts=line.contract.starts_on,
                    contract_ends=line.contract.ends_on,
                    year_starts=year.starts_on,
                    year_ends=year.ends_on,
                )
            rows.append(
                MeasureComparison(
                    code=measure.code,
                    name=measure.name,
                    unit=measure.unit,
                    this_year=value,
                    entered=measure.pk in mine,
                    last_year=last,
                    plan=share,
                    big_against_last_year=is_big_change(value, last),
                    big_against_plan=is_big_change(value, share),
                )
            )
        result[line.pk] = rows
    return result
