"""Review: this year's quantities against last year and the delivery plan."""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from core.numbers import round_credits
from frameworks.models import DeliveryPlanItem

from ..models import AnnualReturn, Measure, ReportingYear, ReturnEntry, ReturnLine
from .lines import ZERO, counted_lines

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


def big_change_count(*, annual_return: AnnualReturn) -> int:
    """The figures of the return's counted lines that changed by 50% and 5 units or
    more against last year or the delivery plan (each measure once). Kept on the
    return at each submission (`AnnualReturn.big_changes`) so the review queue can
    rank thousands of returns by it in one query. A fixed number of queries."""
    lines = list(
        ReturnLine.objects.filter(annual_return=annual_return, excluded_at__isnull=True)
        .select_related("contract")
        .order_by()
    )
    return big_changes_in(line_comparisons(lines=lines, year=annual_return.year))


def big_changes_in(comparisons: dict[int, list]) -> int:
    """How many of `line_comparisons`' rows are big changes: the one count the
    review page shows and the queue ranks by."""
    return sum(1 for rows in comparisons.values() for row in rows if row.is_big)
