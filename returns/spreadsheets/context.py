"""The context beside each row of a return workbook: the contract's delivery plan
and last year's figures (DESIGN rule 9), as text a person reads. Read only: the
export writes it in locked cells, and the upload ignores it (an edited cell gets a
warning saying so, as an edited spend or target does)."""

from __future__ import annotations

from collections import defaultdict

from frameworks.models import DeliveryPlanItem
from returns.models import AnnualReturn, ReturnEntry, ReturnLine
from returns.templatetags.figures_format import figure, in_unit

NO_PLAN = "No delivery plan recorded"
NOT_LAST_YEAR = "Not on last year's return"


def _listed(pairs) -> str:
    return "; ".join(
        f"{measure.name}: {in_unit(q, measure.unit)}" for measure, q in pairs
    )


def context_texts(
    annual_return: AnnualReturn, lines: list[ReturnLine]
) -> dict[int, dict[str, str]]:
    """{line id: {"plan": text, "last_year": text}}. Three queries whatever the
    number of lines."""
    contract_ids = {line.contract_id for line in lines}
    plans: dict[int, list] = defaultdict(list)
    for item in (
        DeliveryPlanItem.objects.filter(contract_id__in=contract_ids)
        .select_related("measure")
        .order_by("measure__position", "measure__code")
    ):
        plans[item.contract_id].append((item.measure, item.committed_quantity))
    last_lines: dict[int, ReturnLine] = {}
    for earlier in (
        ReturnLine.objects.filter(
            contract_id__in=contract_ids,
            annual_return__year__starts_on__lt=annual_return.year.starts_on,
        )
        .select_related("annual_return__year")
        .order_by("annual_return__year__starts_on", "pk")
    ):
        last_lines[earlier.contract_id] = earlier  # the latest year wins
    entries: dict[int, list] = defaultdict(list)
    for entry in (
        ReturnEntry.objects.filter(line__in=[line.pk for line in last_lines.values()])
        .select_related("measure")
        .order_by("measure__position", "measure__code")
    ):
        entries[entry.line_id].append((entry.measure, entry.quantity))
    texts = {}
    for line in lines:
        plan = plans.get(line.contract_id)
        earlier = last_lines.get(line.contract_id)
        if earlier is None:
            last_year = NOT_LAST_YEAR
        else:
            figures = _listed(entries[earlier.pk]) or (
                "nothing delivered" if earlier.nothing_delivered_reason else "none"
            )
            last_year = (
                f"{earlier.annual_return.year.label}: {figures}. "
                f"{figure(earlier.delivered_credits, 'credits')} credits of a target "
                f"of {figure(earlier.target_credits, 'credits')}"
            )
        texts[line.pk] = {
            "plan": f"Over the whole contract: {_listed(plan)}" if plan else NO_PLAN,
            "last_year": last_year,
        }
    return texts
