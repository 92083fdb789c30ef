"""Reading lines' flags (issue 23): what a return's pages, its submission and the
review queue show. Each function is one query, whatever the number of lines or
returns."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db.models import Count, Q

from frameworks.models import DeliveryPlanItem

from ..models import AnnualReturn, LineFlag, ReturnEntry, ReturnLine, YearMeasure
from ..services.credits import line_credits
from ..services.flags import FlagFound
from ..services.line_rules import parse_quantity
from ..services.soft_checks import LineFacts, Thresholds, soft_checks


@dataclass(frozen=True)
class FlagCounts:
    """A return's flags: all of them, those without an explanation, those the team
    has not marked checked."""

    total: int = 0
    unexplained: int = 0
    unchecked: int = 0


NO_FLAGS = FlagCounts()


def flag_counts_by_return(return_ids: Collection[int]) -> dict[int, FlagCounts]:
    """Flag counts of many returns in one query; a return without flags is left
    out (read it with `.get(pk, NO_FLAGS)`). Flags of excluded lines are left out:
    an excluded line counts nowhere."""
    if not return_ids:
        return {}
    rows = (
        LineFlag.objects.filter(
            line__annual_return_id__in=return_ids, line__excluded_at__isnull=True
        )
        .values("line__annual_return_id")
        .annotate(
            total=Count("pk"),
            unexplained=Count("pk", filter=Q(explanation="")),
            unchecked=Count("pk", filter=Q(checked_at__isnull=True)),
        )
        .order_by()
    )
    return {
        row["line__annual_return_id"]: FlagCounts(
            total=row["total"],
            unexplained=row["unexplained"],
            unchecked=row["unchecked"],
        )
        for row in rows
    }


def return_flags(annual_return: AnnualReturn | int) -> list[LineFlag]:
    """Every flag on a return's lines that are not excluded, in the lines' order,
    each with its line and contract (and who explained and checked it) loaded: one
    query."""
    return_id = getattr(annual_return, "pk", annual_return)
    return list(
        LineFlag.objects.filter(
            line__annual_return_id=return_id, line__excluded_at__isnull=True
        )
        .select_related("line__contract", "explained_by", "checked_by")
        .order_by("line__contract__reference", "code", "measure_code")
    )


def flags_by_line(annual_return: AnnualReturn | int) -> dict[int, list[LineFlag]]:
    """`return_flags` grouped by line id (one query)."""
    grouped: dict[int, list[LineFlag]] = {}
    for flag in return_flags(annual_return):
        grouped.setdefault(flag.line_id, []).append(flag)
    return grouped


def line_flags(line: ReturnLine | int) -> list[LineFlag]:
    """One line's flags (one query)."""
    line_id = getattr(line, "pk", line)
    return list(
        LineFlag.objects.filter(line_id=line_id)
        .select_related("explained_by", "checked_by")
        .order_by("code", "measure_code")
    )


def unexplained_flags(annual_return: AnnualReturn | int) -> list[LineFlag]:
    """The flags a submission waits for: on a line not excluded, without an
    explanation (one query)."""
    return [f for f in return_flags(annual_return) if not f.is_explained]


def soft_check_facts(
    *, year, lines: Collection[ReturnLine], year_measures: Collection[YearMeasure]
) -> dict[int, LineFacts]:
    """What the soft checks compare each of `lines` (of one return of `year`) with:
    last year's figures on the same contract (its latest line of an earlier year,
    the figures the line page shows as "last year") and the delivery plan's credits
    at this year's values. Three queries whatever the number of lines."""
    contract_ids = {line.contract_id for line in lines}
    latest: dict[int, tuple] = {}  # contract id → (starts_on, line id, label)
    for line_id, contract_id, starts_on, label in ReturnLine.objects.filter(
        contract_id__in=contract_ids,
        annual_return__year__starts_on__lt=year.starts_on,
    ).values_list(
        "pk",
        "contract_id",
        "annual_return__year__starts_on",
        "annual_return__year__label",
    ):
        if contract_id not in latest or starts_on > latest[contract_id][0]:
            latest[contract_id] = (starts_on, line_id, label)
    last_figures: dict[int, dict[str, object]] = {
        line_id: {} for _, line_id, _ in latest.values()
    }
    if last_figures:
        for line_id, code, quantity in ReturnEntry.objects.filter(
            line_id__in=list(last_figures)
        ).values_list("line_id", "measure__code", "quantity"):
            last_figures[line_id][code] = quantity
    rates = {ym.measure_id: ym.credits_per_unit for ym in year_measures}
    plans: dict[int, list] = {}
    for contract_id, measure_id, committed in DeliveryPlanItem.objects.filter(
        contract_id__in=contract_ids
    ).values_list("contract_id", "measure_id", "committed_quantity"):
        plans.setdefault(contract_id, []).append((measure_id, committed))
    facts = {}
    for line in lines:
        last = latest.get(line.contract_id)
        plan = plans.get(line.contract_id)
        facts[line.pk] = LineFacts(
            spend=line.spend,
            target_credits=line.target_credits,
            last_year=last_figures[last[1]] if last else {},
            last_year_label=last[2] if last else "",
            plan_credits=line_credits(plan, rates) if plan else None,
        )
    return facts


def typed_soft_checks(
    line: ReturnLine,
    *,
    year,
    year_measures: Collection[YearMeasure],
    typed: dict[str, object],
) -> list[FlagFound]:
    """The soft checks figures typed but not saved would trip (the line page warns
    as the supplier types): what `line_save` would flag for them, worked out the
    same way. A figure that is not a valid quantity is left out (the save refuses
    it with its own message). Four queries."""
    by_code = {ym.measure.code: ym for ym in year_measures}
    quantities: dict[str, Decimal] = {}
    for code, year_measure in by_code.items():
        try:
            quantity = parse_quantity(typed.get(code), year_measure.measure)
        except ValidationError:
            continue
        if quantity is not None:
            quantities[code] = quantity
    facts = soft_check_facts(year=year, lines=[line], year_measures=year_measures)
    return soft_checks(
        line_id=line.pk,
        quantities=quantities,
        delivered_credits=line_credits(
            [(by_code[c].measure_id, q) for c, q in quantities.items()],
            {ym.measure_id: ym.credits_per_unit for ym in year_measures},
        ),
        facts=facts[line.pk],
        thresholds=Thresholds.of_year(year),
        measures=by_code,
    )
