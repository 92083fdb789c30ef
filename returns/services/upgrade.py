"""Derived data an upgrade fills once, after every migration has run (so the code
and the schema agree), on a database that already holds returns:

- the contract summary of figures (`returns/0013_contract_summary` made it empty:
  the to-date pages read it);
- the flags and the big-change counts of the returns still in play
  (`returns/0014_i23_review`: flags were only ever written by a save, so a return
  started before the upgrade would show none, and submit without explaining them).

`ReturnsConfig.ready` connects `after_migrate` to `post_migrate`; it looks at the
migrations just applied, so a later `migrate` does nothing. `manage.py
refresh_flags` does the second part on demand (after correcting a credit value, say).
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction

from ..models import (
    AnnualReturn,
    ContractSummary,
    LineFlag,
    ReturnEntry,
    ReturnLine,
    YearMeasure,
)
from .double_counting import double_counting_refresh
from .flags import flags_sync
from .line_rules import LineState
from .summary import summary_rebuild

SUMMARY_MIGRATION = ("returns", "0013_contract_summary")
FLAGS_MIGRATION = ("returns", "0014_i23_review")


def return_flags_refresh(*, annual_return: AnnualReturn) -> None:
    """Every flag of the return worked out again from its stored figures (the soft
    checks, then double counting), keeping the explanations of those that still
    apply, and its big-change count when it is awaiting review. A fixed number of
    queries whatever the number of lines."""
    from ..figures.changes import big_change_count
    from .lines import soft_flags_found

    lines = list(
        ReturnLine.objects.filter(annual_return=annual_return).select_related(
            "contract"
        )
    )
    by_code = {
        ym.measure.code: ym
        for ym in YearMeasure.objects.filter(year=annual_return.year).select_related(
            "measure"
        )
    }
    states: dict[int, LineState] = {line.pk: LineState() for line in lines}
    for line_id, measure_id, quantity in ReturnEntry.objects.filter(
        line__annual_return=annual_return
    ).values_list("line_id", "measure_id", "quantity"):
        states[line_id].quantities[measure_id] = quantity
    found = soft_flags_found(
        annual_return=annual_return,
        checked=[(line, states[line.pk]) for line in lines],
        by_code=by_code,
    )
    with transaction.atomic():
        flags_sync(
            line_ids=[line.pk for line in lines],
            codes=LineFlag.SOFT_CHECKS,
            found=[flag for flags in found.values() for flag in flags],
        )
        double_counting_refresh(annual_return=annual_return)
        if annual_return.status == AnnualReturn.Status.SUBMITTED:
            AnnualReturn.objects.filter(pk=annual_return.pk).update(
                big_changes=big_change_count(annual_return=annual_return)
            )


def flags_refresh(*, returns: Iterable[AnnualReturn] | None = None) -> int:
    """`return_flags_refresh` for each of `returns` (default: every return still in
    play: not started, in progress, returned or awaiting review). Returns how many."""
    if returns is None:
        returns = AnnualReturn.objects.filter(
            status__in=AnnualReturn.OPEN
        ).select_related("year", "supplier")
    count = 0
    for annual_return in returns:
        return_flags_refresh(annual_return=annual_return)
        count += 1
    return count


def after_migrate(*, plan, using: str = "default") -> None:
    """Puts back any completion-figures trigger a migration lost (on SQLite a table
    rebuild drops its triggers), then fills what the migrations just applied left
    empty (see the module's text)."""
    from ..figures.completion_season import triggers_ensure

    triggers_ensure(using=using)
    applied = {
        (migration.app_label, migration.name)
        for migration, backwards in plan or []
        if not backwards
    }
    if not applied & {SUMMARY_MIGRATION, FLAGS_MIGRATION}:
        return
    if not ReturnLine.objects.exists():
        return  # a new database: nothing to fill
    if SUMMARY_MIGRATION in applied and not ContractSummary.objects.exists():
        summary_rebuild()
    if FLAGS_MIGRATION in applied:
        flags_refresh()
