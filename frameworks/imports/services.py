"""Checking and applying an import file. The check writes nothing; the apply checks
again inside its transaction and writes only when there is no problem at all."""

from __future__ import annotations

from typing import IO

from django.db import transaction

from core.xlsx import Problem, SpreadsheetRefused, Table, read_table
from core.xlsx.reading import normalise_header

from . import KINDS, KINDS_BY_KEY
from .base import Kind, Report

NOT_RECOGNISED = (
    "Expected the headings of one of the templates in row {row}: these match none. "
    "Download the template for the kind of data you are importing"
)
WRONG_KIND = "Expected a file of {expected}: its headings are those of {found}"


class ImportRefused(Exception):
    def __init__(self, report: Report):
        self.report = report
        super().__init__(f"{report.error_count} problem(s) in {report.file_name}")


def kind_for(table: Table) -> Kind | None:
    """The kind whose required headings the file's headings include (the most
    specific one if several do)."""
    headings = set(table.index)
    scored = [(kind.matches(headings), index, kind) for index, kind in enumerate(KINDS)]
    best = max(scored, key=lambda item: (item[0], -item[1]))
    return best[2] if best[0] else None


def _check(
    *, file: IO[bytes] | bytes, name: str, expected_kind: str | None = None
) -> tuple[Report, Kind | None, object]:
    report = Report(file_name=name)
    try:
        table = read_table(file, name=name)
    except SpreadsheetRefused as refused:
        report.error(refused.problem)
        return report, None, None
    report.rows = len(table.rows)
    kind = kind_for(table)
    if kind is None:
        report.error(
            Problem(
                message=NOT_RECOGNISED.format(row=table.header_row),
                sheet=table.sheet,
                row=table.header_row,
            )
        )
        return report, None, None
    report.kind, report.label = kind.key, kind.label
    if expected_kind and expected_kind != kind.key:
        report.error(
            Problem(
                message=WRONG_KIND.format(
                    expected=KINDS_BY_KEY[expected_kind].label.lower(),
                    found=kind.label.lower(),
                ),
                sheet=table.sheet,
                row=table.header_row,
            )
        )
        return report, kind, None
    for problem in table.problems:
        report.error(problem)
    context = {"measures": _measure_headings()} if kind.key == "past_returns" else {}
    kind.check_headings(table, report, context)
    if not report.ok:
        return report, kind, None
    plan = kind.check(table, report)
    return report, kind, plan


def _measure_headings() -> dict[str, object]:
    from returns.models import Measure

    return {
        normalise_header(code): code
        for code in Measure.objects.values_list("code", flat=True)
    }


def import_check(
    *, file: IO[bytes] | bytes, name: str, expected_kind: str | None = None
) -> Report:
    """Every problem in the file and what applying it would create, update and leave
    alone. Writes nothing. Called by the check task and `import_reference`."""
    report, _kind, _plan = _check(file=file, name=name, expected_kind=expected_kind)
    return report


@transaction.atomic
def import_apply(
    *,
    file: IO[bytes] | bytes,
    name: str,
    acting_user=None,
    expected_kind: str | None = None,
) -> Report:
    """Checks the file again and, when nothing is wrong, applies all of it in this one
    transaction; raises `ImportRefused` (and writes nothing) otherwise. Never deletes
    a row the file leaves out. Called by the apply task and `import_reference --commit`."""
    report, kind, plan = _check(file=file, name=name, expected_kind=expected_kind)
    if not report.ok or kind is None or plan is None:
        raise ImportRefused(report)
    kind.apply(plan, report, acting_user=acting_user)
    report.applied = True
    return report
