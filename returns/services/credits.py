"""Delivered credits: Σ quantity × the year's credits per unit, rounded once per line.

`ReturnLine.delivered_credits` is written only here (and by the service that writes
entries, through `line_credits`); `lines_recompute_credits` proves there is no drift.
"""

from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal

from django.db import transaction
from django.db.models import QuerySet

from core.numbers import round_credits

from ..models import ReturnEntry, ReturnLine, YearMeasure
from .summary import summary_refresh


def line_credits(
    quantities: Iterable[tuple[int, Decimal]], rates: dict[int, Decimal]
) -> Decimal:
    """Credits of one line from (measure id, quantity) pairs and the year's rates."""
    total = sum(
        (
            quantity * rates.get(measure_id, Decimal(0))
            for measure_id, quantity in quantities
        ),
        Decimal(0),
    )
    return round_credits(total)


def _expected_credits(lines: list[ReturnLine]) -> dict[int, Decimal]:
    year_ids = {line.annual_return.year_id for line in lines}
    rates: dict[int, dict[int, Decimal]] = defaultdict(dict)
    for year_id, measure_id, rate in YearMeasure.objects.filter(
        year_id__in=year_ids
    ).values_list("year_id", "measure_id", "credits_per_unit"):
        rates[year_id][measure_id] = rate
    quantities: dict[int, list[tuple[int, Decimal]]] = defaultdict(list)
    for line_id, measure_id, quantity in ReturnEntry.objects.filter(
        line__in=[line.pk for line in lines]
    ).values_list("line_id", "measure_id", "quantity"):
        quantities[line_id].append((measure_id, quantity))
    return {
        line.pk: line_credits(quantities[line.pk], rates[line.annual_return.year_id])
        for line in lines
    }


def lines_recompute_credits(
    *, lines: QuerySet[ReturnLine] | None = None, fix: bool = False, chunk: int = 2000
) -> list[tuple[int, Decimal, Decimal]]:
    """Compares each line's stored credits with its entries; with `fix`, writes the
    computed value. Returns (line id, stored, computed) for every line that drifted.
    Called by `manage.py recompute_credits` and its task, and after a credit value
    is corrected."""
    queryset = (
        lines if lines is not None else ReturnLine.objects.all()
    ).select_related("annual_return")
    drift: list[tuple[int, Decimal, Decimal]] = []
    ids = list(queryset.order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(ids), chunk):
        batch = list(
            ReturnLine.objects.filter(pk__in=ids[start : start + chunk]).select_related(
                "annual_return"
            )
        )
        expected = _expected_credits(batch)
        changed = []
        for line in batch:
            if line.delivered_credits != expected[line.pk]:
                drift.append((line.pk, line.delivered_credits, expected[line.pk]))
                line.delivered_credits = expected[line.pk]
                changed.append(line)
        if fix and changed:
            with transaction.atomic():
                ReturnLine.objects.bulk_update(changed, ["delivered_credits"])
                summary_refresh(contract_ids=[line.contract_id for line in changed])
                _flags_follow(changed)
    return drift


def _flags_follow(lines: list[ReturnLine]) -> None:
    """New credits move the target and plan checks of the returns still in play."""
    from ..models import AnnualReturn
    from .upgrade import flags_refresh  # upgrade reads lines: no cycle

    flags_refresh(
        returns=AnnualReturn.objects.filter(
            pk__in={line.annual_return_id for line in lines},
            status__in=AnnualReturn.OPEN,
        ).select_related("year", "supplier")
    )
