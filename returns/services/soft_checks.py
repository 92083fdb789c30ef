"""The soft checks on a line's figures (issue 23), written once.

Warnings, never errors: a figure that passes `line_rules.line_check` is saved, and
each check it trips becomes a `LineFlag` the supplier must explain before the return
can be submitted. `soft_checks` is the only place the rules live; it reads nothing
from the database. `lines._save` (the line page, the team acting for a supplier, a
spreadsheet upload's preview and confirmation) calls it for every line it saves,
and the line page calls it on the figures being typed to warn before saving.

- a figure more than `ratio` times last year's figure of the same measure on the
  same contract, or less than 1/`ratio` of it; only when last year's figure is above
  the `floor` (so 0 → 1 is never flagged) and a figure is given this year (a blank
  is not compared: "nothing delivered" has its own reason);
- delivered credits more than `target_ratio` times the line's target (a target of 0
  is not compared); or more than the delivery plan's total credits for the whole
  contract (at this year's credit values; a contract without a plan is not
  compared);
- a people-measure more than the line's spend ÷ the year's £ of spend per person
  for that measure (e.g. more full-time jobs created than spend ÷ £25,000);
- the same figure in every measure given, when at least SAME_FIGURE_MIN measures
  are given and the figure is not 0.

Exactly at a threshold is not flagged; just above (or below) is.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from returns.templatetags.figures_format import figure, in_unit

from ..models import LineFlag, YearMeasure
from .flags import FlagFound

SAME_FIGURE_MIN = 3  # two equal figures happen; three or more all alike is a pattern

Code = LineFlag.Code


@dataclass(frozen=True)
class Thresholds:
    """The year's settings the checks compare with (ReportingYear's flag_* fields
    and each YearMeasure's spend_per_unit, carried in `measures`)."""

    ratio: Decimal = Decimal(3)
    floor: Decimal = Decimal(5)
    target_ratio: Decimal = Decimal(3)

    @classmethod
    def of_year(cls, year) -> Thresholds:
        return cls(
            ratio=year.flag_ratio,
            floor=year.flag_floor,
            target_ratio=year.flag_target_ratio,
        )


@dataclass(frozen=True)
class LineFacts:
    """What a line's figures are compared with: its spend and target, last year's
    figures on the same contract (measure code → quantity; `last_year_label` empty
    when the contract had no line before) and the delivery plan's credits for the
    whole contract (None without a plan)."""

    spend: Decimal
    target_credits: Decimal
    last_year: Mapping[str, Decimal] = field(default_factory=dict)
    last_year_label: str = ""
    plan_credits: Decimal | None = None


def soft_checks(
    *,
    line_id: int,
    quantities: Mapping[str, Decimal],
    delivered_credits: Decimal,
    facts: LineFacts,
    thresholds: Thresholds,
    measures: Mapping[str, YearMeasure],
) -> list[FlagFound]:
    """Every soft check `quantities` (measure code → the stored quantity, blanks
    left out) trips on the line, in the catalogue's order. `measures` is the year's
    measures by code."""
    found: list[FlagFound] = []
    ratio = thresholds.ratio
    for code, year_measure in measures.items():
        quantity = quantities.get(code)
        if quantity is None:
            continue
        measure = year_measure.measure
        name = _short(measure.name)
        last = facts.last_year.get(code)
        if last is not None and last > thresholds.floor:
            if quantity > ratio * last:
                found.append(
                    FlagFound(
                        line_id,
                        Code.ABOVE_LAST_YEAR,
                        code,
                        f"{name}: {in_unit(quantity, measure.unit)} is more than "
                        f"{_times(ratio)} last year's "
                        f"{in_unit(last, measure.unit)} ({facts.last_year_label})",
                    )
                )
            elif quantity * ratio < last:
                found.append(
                    FlagFound(
                        line_id,
                        Code.BELOW_LAST_YEAR,
                        code,
                        f"{name}: {in_unit(quantity, measure.unit)} is less than "
                        f"{_share(ratio)} of last year's "
                        f"{in_unit(last, measure.unit)} ({facts.last_year_label})",
                    )
                )
        per_person = year_measure.spend_per_unit
        if per_person and quantity * per_person > facts.spend:
            most = int(facts.spend // per_person)
            found.append(
                FlagFound(
                    line_id,
                    Code.IMPLAUSIBLE_FOR_SPEND,
                    code,
                    f"{name}: {in_unit(quantity, measure.unit)} on "
                    f"{figure(facts.spend, '£')} of spend in the year: at "
                    f"{figure(per_person, '£')} each, the spend pays for at most "
                    f"{in_unit(most, measure.unit)}",
                )
            )

    target = facts.target_credits
    if target > 0 and delivered_credits > thresholds.target_ratio * target:
        found.append(
            FlagFound(
                line_id,
                Code.ABOVE_TARGET,
                "",
                f"Credits delivered, {figure(delivered_credits, 'credits')}, are "
                f"more than {_times(thresholds.target_ratio)} the target of "
                f"{figure(target, 'credits')}",
            )
        )
    plan = facts.plan_credits
    if plan is not None and plan > 0 and delivered_credits > plan:
        found.append(
            FlagFound(
                line_id,
                Code.ABOVE_PLAN,
                "",
                f"Credits delivered this year, {figure(delivered_credits, 'credits')}"
                f", are more than the delivery plan's {figure(plan, 'credits')} "
                "credits for the whole contract",
            )
        )
    given = [quantities[code] for code in measures if code in quantities]
    if len(given) >= SAME_FIGURE_MIN and given[0] != 0 and len(set(given)) == 1:
        found.append(
            FlagFound(
                line_id,
                Code.SAME_FIGURE_EVERYWHERE,
                "",
                f"The same figure, {figure(given[0])}, is in every measure given "
                f"({len(given)} measures)",
            )
        )
    return found


def _short(name: str) -> str:
    # "Jobs created, full-time", not its bracketed guidance.
    return name.split(" (")[0]


def _times(ratio: Decimal) -> str:
    return {Decimal(2): "twice", Decimal(3): "3 times"}.get(
        ratio, f"{figure(ratio)} times"
    )


def _share(ratio: Decimal) -> str:
    return {Decimal(2): "half", Decimal(3): "a third", Decimal(4): "a quarter"}.get(
        ratio, f"1/{figure(ratio)}"
    )
