"""Reported figures: what members and the impact report see (issue 10).

Members and the public never see figures of unapproved returns, so everything they
see is computed over `reported_lines`: the counted lines of approved returns. Target
and delivered then cover the same lines. Quantities are summed per measure in one
query; the headline, employment opportunities, is the sum of its five measures.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import QuerySet

from core.fields import rounded_sum
from core.numbers import round_money

from ..models import ReturnEntry, ReturnLine, YearMeasure
from .lines import GROUPS, ZERO

EMPLOYMENT_OPPORTUNITIES = ("EMP-FT", "EMP-PT", "EMP-SUS", "APP-NEW", "APP-SUS")
POUNDS = "£"


def _quantity_sum():
    return rounded_sum("quantity")


def quantities(*, lines: QuerySet[ReturnLine]) -> dict[str, Decimal]:
    """Measure code → quantity delivered on `lines`, in one query. Measures with no
    entry are absent (read them with `.get(code, ZERO)`)."""

    rows = (
        ReturnEntry.objects.filter(line__in=lines.order_by().values("pk"))
        .order_by()
        .values("measure__code")
        .annotate(total=_quantity_sum())
    )
    return {row["measure__code"]: round_money(row["total"]) for row in rows}


def quantities_by(group: str, *, lines: QuerySet[ReturnLine]) -> dict:
    """Group key (the first of GROUPS[group]) → {measure code → quantity}, one query."""

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

    return _valued(
        YearMeasure.objects.filter(year=year).select_related("measure"), by_measure
    )


def social_value_over_years(*, years, by_year: dict) -> Decimal | None:
    """£ social value summed over `years`, each year's quantities (`by_year`: year
    id → {measure code → quantity}) valued at that year's own rates, as each year's
    report values them. One query, whatever the number of years; None when no year
    can value anything."""
    year_measures: dict = {}
    for year_measure in YearMeasure.objects.filter(year__in=years).select_related(
        "measure"
    ):
        year_measures.setdefault(year_measure.year_id, []).append(year_measure)
    total = None
    for year in years:
        valued = _valued(year_measures.get(year.pk, []), by_year.get(year.pk, {}))
        if valued:
            total = (total or ZERO) + sum((row.value for row in valued), ZERO)
    return total


def _valued(year_measures, by_measure: dict[str, Decimal]) -> list[SocialValue]:
    rows = []
    for year_measure in year_measures:
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
