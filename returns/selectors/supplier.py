"""Reads for the supplier's pages: their returns, one line with its context, the year's
totals. Every read that takes an id is scoped by who asks (or by a return already
scoped by `selectors.supplier_return_get`)."""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db.models import Count, DecimalField, Q, QuerySet
from django.shortcuts import get_object_or_404

from core.fields import rounded_sum
from core.numbers import round_credits
from frameworks.models import DeliveryPlanItem
from returns.models import AnnualReturn, ReturnEntry, ReturnLine, YearMeasure
from returns.selectors import completeness
from returns.services.credits import line_credits
from returns.services.line_rules import parse_quantity

_CREDITS = DecimalField(max_digits=14, decimal_places=2)
COUNTED = Q(lines__excluded_at__isnull=True)


def supplier_returns(*, supplier) -> QuerySet[AnnualReturn]:
    """A supplier's returns, newest year first, with line count, target and credits
    so far over the lines that count (not excluded). One query."""
    return (
        AnnualReturn.objects.filter(supplier=supplier)
        .select_related("supplier", "year")
        .annotate(
            line_count=Count("lines", filter=COUNTED),
            target_total=rounded_sum("lines__target_credits", filter=COUNTED),
            delivered_total=rounded_sum("lines__delivered_credits", filter=COUNTED),
        )
        .order_by("-year__starts_on")
    )


def deadline_phrase(annual_return: AnnualReturn, *, today: datetime.date) -> str:
    """ "due in 5 days", "due today", "3 days overdue"; empty once it is out of the
    supplier's hands (submitted, approved, not required, or sent back)."""
    if annual_return.status not in (
        AnnualReturn.Status.NOT_STARTED,
        AnnualReturn.Status.IN_PROGRESS,
    ):
        return ""
    days = (annual_return.effective_deadline - today).days
    if days == 0:
        return "due today"
    if days == 1:
        return "due tomorrow"
    if days > 1:
        return f"due in {days} days"
    overdue = -days
    return f"{overdue} day{'s' if overdue != 1 else ''} overdue"


def previous_return(annual_return: AnnualReturn) -> AnnualReturn | None:
    """The same supplier's return for the year before, if any."""
    return (
        AnnualReturn.objects.filter(
            supplier_id=annual_return.supplier_id,
            year__starts_on__lt=annual_return.year.starts_on,
        )
        .select_related("year")
        .order_by("-year__starts_on")
        .first()
    )


def return_line_get(*, annual_return: AnnualReturn, line_id: int) -> ReturnLine:
    """A line of a return already scoped to the person asking, or 404."""
    return get_object_or_404(
        ReturnLine.objects.select_related(
            "contract", "member", "lot__framework", "updated_by"
        ),
        annual_return=annual_return,
        pk=line_id,
    )


@dataclass
class MeasureRow:
    year_measure: YearMeasure
    quantity: Decimal | None = None
    planned: Decimal | None = None
    last_year: Decimal | None = None

    @property
    def measure(self):
        return self.year_measure.measure


@dataclass
class Theme:
    """A theme's measures on the line page. `named` when the delivery plan or last
    year's return has a figure in it: those themes are open, the others folded."""

    name: str
    rows: list[MeasureRow]
    named: bool

    @property
    def has_figures(self) -> bool:
        return any(row.quantity is not None for row in self.rows)


@dataclass
class LineContext:
    rows: list[MeasureRow]
    themes: list[tuple[str, list[MeasureRow]]]
    last_year_line: ReturnLine | None
    has_plan: bool
    rates: dict[str, Decimal] = field(default_factory=dict)
    grouped: list[Theme] = field(default_factory=list)

    @property
    def open_themes(self) -> list[Theme]:
        """The themes shown open: those the plan or last year name, and any the
        line already has figures in. With neither plan nor last year, all of them
        (nothing says which matter)."""
        if not any(theme.named for theme in self.grouped):
            return self.grouped
        return [t for t in self.grouped if t.named or t.has_figures]

    @property
    def folded_themes(self) -> list[Theme]:
        shown = {theme.name for theme in self.open_themes}
        return [theme for theme in self.grouped if theme.name not in shown]


def line_context(line: ReturnLine, *, year) -> LineContext:
    """The year's measures with this line's figures, the contract's delivery plan
    and last year's figures. Four queries whatever the catalogue or the return's size."""
    year_measures = list(
        YearMeasure.objects.filter(year=year)
        .select_related("measure")
        .order_by("measure__position", "measure__code")
    )
    current = dict(line.entries.values_list("measure_id", "quantity"))
    plan = dict(
        DeliveryPlanItem.objects.filter(contract_id=line.contract_id).values_list(
            "measure_id", "committed_quantity"
        )
    )
    last_year_line = (
        ReturnLine.objects.filter(
            contract_id=line.contract_id,
            annual_return__year__starts_on__lt=year.starts_on,
        )
        .select_related("annual_return__year")
        .order_by("-annual_return__year__starts_on")
        .first()
    )
    last_year = (
        dict(last_year_line.entries.values_list("measure_id", "quantity"))
        if last_year_line
        else {}
    )
    rows = [
        MeasureRow(
            year_measure=ym,
            quantity=current.get(ym.measure_id),
            planned=plan.get(ym.measure_id),
            last_year=last_year.get(ym.measure_id),
        )
        for ym in year_measures
    ]
    themes: dict[str, list[MeasureRow]] = {}
    for row in rows:
        themes.setdefault(row.measure.theme, []).append(row)
    return LineContext(
        rows=rows,
        themes=list(themes.items()),
        last_year_line=last_year_line,
        has_plan=bool(plan),
        rates={ym.measure.code: ym.credits_per_unit for ym in year_measures},
        grouped=[
            Theme(
                name=name,
                rows=theme_rows,
                named=any(
                    row.planned is not None or row.last_year is not None
                    for row in theme_rows
                ),
            )
            for name, theme_rows in themes.items()
        ],
    )


def typed_credits(context: LineContext, quantities: dict[str, str]) -> Decimal:
    """The credits of figures typed but not saved (a refused save, figures kept
    over a sign-in): what the page shows beside them, worked out as `line_save`
    would. A figure that is not a valid quantity counts nothing."""
    pairs = []
    for row in context.rows:
        try:
            quantity = parse_quantity(quantities.get(row.measure.code), row.measure)
        except ValidationError:
            continue
        if quantity is not None:
            pairs.append((row.measure.pk, quantity))
    return line_credits(
        pairs,
        {row.measure.pk: row.year_measure.credits_per_unit for row in context.rows},
    )


def next_line_needing_something(
    annual_return: AnnualReturn, *, after: ReturnLine, today: datetime.date
) -> ReturnLine | None:
    """The next contract on the task list (in its order, wrapping round) that still
    stops the return being submitted or has something to answer: not started, in
    progress, a send-back comment not yet acted on. One query."""
    lines = list(completeness.lines_for_task_list(annual_return))
    completeness.attach_sent_back_comments(annual_return, lines)
    index = next((i for i, line in enumerate(lines) if line.pk == after.pk), -1)
    for line in lines[index + 1 :] + lines[: index + 1]:
        if line.pk == after.pk:
            continue
        state = completeness.line_state(line, today=today)
        if state.status == completeness.EXCLUDED:
            continue
        if state.problems or state.status == completeness.PROBLEM:
            return line
    return None


@dataclass
class CheckAnswers:
    lines: list[tuple[ReturnLine, list[tuple[YearMeasure, Decimal]]]]
    measure_totals: list[tuple[YearMeasure, Decimal]]
    target: Decimal
    delivered: Decimal


def check_answers(annual_return: AnnualReturn, lines: list[ReturnLine]) -> CheckAnswers:
    """Each line's figures and the year's totals per measure, over the lines that
    count. Two queries whatever the number of lines."""
    year_measures = list(
        YearMeasure.objects.filter(year_id=annual_return.year_id)
        .select_related("measure")
        .order_by("measure__position", "measure__code")
    )
    by_measure = {ym.measure_id: ym for ym in year_measures}
    order = {ym.measure_id: i for i, ym in enumerate(year_measures)}
    figures: dict[int, list[tuple[int, Decimal]]] = defaultdict(list)
    for line_id, measure_id, quantity in ReturnEntry.objects.filter(
        line__annual_return=annual_return
    ).values_list("line_id", "measure_id", "quantity"):
        figures[line_id].append((measure_id, quantity))
    totals: dict[int, Decimal] = defaultdict(Decimal)
    result = []
    target = delivered = Decimal(0)
    for line in lines:
        rows = sorted(figures.get(line.pk, []), key=lambda pair: order.get(pair[0], 0))
        result.append((line, [(by_measure[m], q) for m, q in rows if m in by_measure]))
        if line.is_excluded:
            continue
        target += line.target_credits
        delivered += line.delivered_credits
        for measure_id, quantity in rows:
            totals[measure_id] += quantity
    return CheckAnswers(
        lines=result,
        measure_totals=[
            (ym, totals[ym.measure_id])
            for ym in year_measures
            if ym.measure_id in totals
        ],
        target=round_credits(target),
        delivered=round_credits(delivered),
    )
