"""Reading a return workbook back: check everything, change nothing, and say what an
upload would do (the preview). Applying the plan is `apply_upload` in `apply.py`.

Each problem names the sheet and cell (or the row) and what was expected. The file's
own credits column is never read: credits are worked out again from the figures.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.core import signing
from openpyxl.utils import get_column_letter

from core.numbers import round_credits, to_decimal
from returns.models import AnnualReturn, ReturnLine
from returns.templatetags.figures_format import plain

from . import layout
from .context import context_texts
from .workbook import entries_by_line, line_state, year_measures_for

TEXT_FIELDS = ("nothing_delivered_reason", "shortfall_reason", "recovery_plan")
LABELS = {
    "nothing_delivered_reason": "nothing delivered reason",
    "shortfall_reason": "below target reason",
    "recovery_plan": "recovery plan",
    "recovery_by": "recovery date",
}


class UploadRefused(Exception):
    """The whole file is refused (not ours, not this return, unreadable layout)."""


@dataclass
class LineChange:
    line_id: int
    reference: str
    expected_version: int
    quantities: dict[str, Decimal]
    texts: dict[str, str]
    recovery_by: datetime.date | None
    credits: Decimal
    conflict: bool = False
    # (what, at download, online now, in file) for each cell the online edit touched
    cells: list[tuple[str, str, str, str]] = field(default_factory=list)


@dataclass
class UploadPlan:
    annual_return_id: int
    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    # (contract reference, words) of each soft check the file's figures trip
    # (issue 23): shown beside the problems, never stopping the confirmation.
    flags: list[tuple[str, str]] = field(default_factory=list)
    changes: list[LineChange] = field(default_factory=list)
    unchanged_missing: list[str] = field(default_factory=list)  # not in the file
    line_count: int = 0
    credits_after: Decimal = Decimal("0")
    target: Decimal = Decimal("0")

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def conflicts(self) -> list[LineChange]:
        return [change for change in self.changes if change.conflict]

    def summary(self) -> str:
        return (
            f"{len(self.changes)} of {self.line_count} contracts change, "
            f"{_plain(self.credits_after)} credits against a target of "
            f"{_plain(self.target)}"
        )


def _plain(value: Decimal) -> str:
    text = f"{value:,.2f}"
    return text[:-3] if text.endswith(".00") else text.rstrip("0")


def _cell(column: int, row: int) -> str:
    return f"{layout.RETURN}!{get_column_letter(column)}{row}"


def _blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _text(value: object) -> str:
    if _blank(value):
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, datetime.datetime):
        value = value.date()
    text = str(value).strip()
    # Our export writes formula-like text with a leading apostrophe; read it back.
    if text.startswith("'") and text[1:2] in ("=", "+", "-", "@"):
        text = text[1:]
    return text


def _quantity(value: object, places: int, where: str, unit: str) -> Decimal:
    """A quantity from a cell: numbers, or numbers stored as text."""
    raw = value
    if isinstance(value, bool):
        raise ValueError(f"{where}: '{raw}' is not a number")
    if isinstance(value, str):
        value = value.strip().replace(",", "")
    try:
        number = to_decimal(value)
    except ValueError:
        raise ValueError(f"{where}: '{raw}' is not a number") from None
    if not number.is_finite():
        raise ValueError(f"{where}: '{raw}' is not a number")
    # A float carried through a spreadsheet can pick up noise in the 15th digit.
    number = number.quantize(Decimal("0.000001")).normalize()
    if number < 0:
        raise ValueError(f"{where}: {raw} is negative; type 0 or more")
    exponent = number.as_tuple().exponent
    if isinstance(exponent, int) and -exponent > places:
        if places == 0:
            raise ValueError(f"{where}: {raw} is not a whole number of {unit}")
        raise ValueError(f"{where}: {raw} has more than {places} decimal places")
    if number >= Decimal("1e12"):
        raise ValueError(f"{where}: {raw} is too large")
    return number.quantize(Decimal(1).scaleb(-2))


def _date(value: object, where: str) -> datetime.date | None:
    if _blank(value):
        return None
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    text = str(value).strip()
    for pattern in ("%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y", "%d.%m.%Y"):
        try:
            return datetime.datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    raise ValueError(f"{where}: '{text}' is not a date; type it like 31/03/2027")


def check_upload(
    *,
    annual_return: AnnualReturn,
    return_rows: list[tuple],
    identity_pieces: list[str] | None,
) -> UploadPlan:
    """Everything an upload would change, and every problem, without writing.

    `return_rows` are the Return sheet's rows as tuples of cell values (row 1 first);
    `identity_pieces` the first column of the hidden identity sheet (None if absent).
    """
    year = annual_return.year
    if not identity_pieces:
        raise UploadRefused(
            "This file is not a return downloaded from the portal: its identity sheet "
            "is missing. Download the return's spreadsheet and fill that in."
        )
    try:
        identity = layout.read_identity([p for p in identity_pieces if p])
    except signing.BadSignature:
        raise UploadRefused(
            "This file's identity sheet has been changed, so the portal cannot tell "
            "whose return it is. Download the return's spreadsheet again."
        ) from None
    if identity.get("return") != annual_return.pk:
        raise UploadRefused(
            f"This file is for {identity.get('supplier_name')} {identity.get('year')} "
            f"({identity.get('reference')}), not for {annual_return.supplier.name} "
            f"{year.label} ({annual_return.reference})."
        )
    if not annual_return.is_editable:
        raise UploadRefused(
            f"Return {annual_return.reference} is "
            f"{annual_return.get_status_display().lower()}, so it cannot be changed."
        )

    year_measures = {ym.measure.code: ym for ym in year_measures_for(annual_return)}
    if len(return_rows) < layout.CODE_ROW:
        raise UploadRefused(f"The '{layout.RETURN}' sheet has no header rows.")
    codes = [_text(v) for v in return_rows[layout.CODE_ROW - 1]]
    columns: dict[str, int] = {}
    plan = UploadPlan(annual_return_id=annual_return.pk)
    for index, code in enumerate(codes, start=1):
        if not code:
            continue
        if code in columns:
            plan.problems.append(
                f"{_cell(index, layout.CODE_ROW)}: column '{code}' appears twice"
            )
            continue
        known = code in year_measures or code in {k for k, _, _ in layout.FIXED}
        known = known or code in {k for k, _, _ in layout.TAIL}
        known = known or code in layout.CONTEXT_KEYS
        if not known:
            plan.problems.append(
                f"{_cell(index, layout.CODE_ROW)}: '{code}' is not a measure of "
                f"{year.label} or a column of the return"
            )
            continue
        columns[code] = index
    missing = [c for c in ("reference", *year_measures) if c not in columns]
    if missing:
        raise UploadRefused(
            f"The '{layout.RETURN}' sheet is missing the column(s) "
            f"{', '.join(missing)} in row {layout.CODE_ROW}. Do not remove columns "
            "or change the codes in that row."
        )

    lines = {
        line.pk: line
        for line in ReturnLine.objects.filter(
            annual_return=annual_return, excluded_at__isnull=True
        ).select_related("contract")
    }
    plan.line_count = len(lines)
    plan.target = sum((line.target_credits for line in lines.values()), Decimal(0))
    online = entries_by_line(list(lines.values()))
    by_reference = {line.contract.reference: line for line in lines.values()}
    at_download = identity.get("lines", {})
    seen: dict[str, int] = {}
    credits_of: dict[int, Decimal] = {
        line.pk: line.delivered_credits for line in lines.values()
    }

    contexts = (
        context_texts(annual_return, list(lines.values()))
        if layout.CONTEXT_KEYS & set(columns)
        else {}
    )

    def value(row: tuple, key: str) -> object:
        index = columns.get(key)
        return row[index - 1] if index and index <= len(row) else None

    for row_number, row in enumerate(
        return_rows[layout.FIRST_LINE_ROW - 1 :], start=layout.FIRST_LINE_ROW
    ):
        reference = _text(value(row, "reference"))
        editable = [value(row, f"{c}") for c in (*year_measures, *TEXT_FIELDS)]
        if not reference:
            if any(not _blank(v) for v in editable):
                plan.problems.append(
                    f"row {row_number}: figures without a contract reference in "
                    f"{_cell(columns['reference'], row_number)}"
                )
            continue
        if reference in seen:
            plan.problems.append(
                f"row {row_number}: contract {reference} appears twice "
                f"(also row {seen[reference]})"
            )
            continue
        seen[reference] = row_number
        line = by_reference.get(reference)
        if line is None:
            plan.problems.append(
                f"row {row_number}: contract {reference} is not in this return"
            )
            continue
        for key, current in (
            ("spend", line.spend),
            ("target", line.target_credits),
        ):
            given = value(row, key)
            if key in columns and not _blank(given):
                try:
                    differs = to_decimal(given).quantize(Decimal("0.01")) != current
                except (ValueError, InvalidOperation):
                    differs = True
                if differs:
                    plan.warnings.append(
                        f"{_cell(columns[key], row_number)}: the {key} of "
                        f"{reference} cannot be changed by a file; the file's "
                        f"'{given}' was ignored"
                    )
        for key, label, _ in layout.CONTEXT:
            given = _text(value(row, key))
            if given and given != contexts.get(line.pk, {}).get(key, given):
                plan.warnings.append(
                    f"{_cell(columns[key], row_number)}: '{label}' of {reference} "
                    "is there to read; the file's change to it was ignored"
                )

        quantities: dict[str, Decimal] = {}
        row_problems: list[str] = []
        for code, year_measure in year_measures.items():
            raw = value(row, code)
            if _blank(raw):
                continue
            try:
                quantities[code] = _quantity(
                    raw,
                    year_measure.measure.decimal_places,
                    _cell(columns[code], row_number),
                    year_measure.measure.unit,
                )
            except ValueError as error:
                row_problems.append(str(error))
        texts = {name: _text(value(row, name)) for name in TEXT_FIELDS}
        recovery_by = None
        if "recovery_by" in columns:
            try:
                recovery_by = _date(
                    value(row, "recovery_by"),
                    _cell(columns["recovery_by"], row_number),
                )
            except ValueError as error:
                row_problems.append(str(error))
        if quantities and texts["nothing_delivered_reason"]:
            row_problems.append(
                f"row {row_number}: contract {reference} has figures and a 'nothing "
                "delivered' reason; clear one of them"
            )
        if row_problems:
            plan.problems.extend(row_problems)
            continue

        in_file = {
            "q": {code: str(q) for code, q in sorted(quantities.items())},
            "t": [
                *(texts[name] for name in TEXT_FIELDS),
                recovery_by.isoformat() if recovery_by else "",
            ],
        }
        now = line_state(line, online[line.pk])
        now_state = {"q": _normal(now["q"]), "t": now["t"]}
        file_state = {"q": _normal(in_file["q"]), "t": in_file["t"]}
        if file_state == now_state:
            continue
        downloaded = at_download.get(str(line.pk))
        if downloaded is None:
            # The line was added to the return after the file was made.
            downloaded = {"v": None, "q": {}, "t": ["", "", "", ""]}
        was = {"q": _normal(downloaded["q"]), "t": downloaded["t"]}
        if file_state == was:
            continue  # not edited in the file; online edits since then stand
        credits = round_credits(
            sum(
                (
                    q * year_measures[code].credits_per_unit
                    for code, q in quantities.items()
                ),
                Decimal(0),
            )
        )
        change = LineChange(
            line_id=line.pk,
            reference=reference,
            expected_version=line.version,
            quantities=quantities,
            texts=texts,
            recovery_by=recovery_by,
            credits=credits,
        )
        if downloaded["v"] != line.version:
            change.conflict = True
            change.cells = _changed_cells(was, now_state, file_state, year_measures)
        plan.changes.append(change)
        credits_of[line.pk] = credits

    for reference in sorted(by_reference):
        if reference not in seen:
            plan.unchanged_missing.append(reference)
    plan.credits_after = sum(credits_of.values(), Decimal(0))
    return plan


def _normal(quantities: dict[str, str]) -> dict[str, str]:
    # "100", never "1E+2": these are shown in the preview of a conflict.
    return {code: plain(q) for code, q in quantities.items()}


def _changed_cells(was, now, in_file, year_measures) -> list[tuple[str, str, str, str]]:
    cells = []
    for code in year_measures:
        triple = (
            was["q"].get(code, ""),
            now["q"].get(code, ""),
            in_file["q"].get(code, ""),
        )
        if triple[1] != triple[2]:
            cells.append((year_measures[code].measure.name, *triple))
    names = [*(LABELS[name] for name in TEXT_FIELDS), LABELS["recovery_by"]]
    for index, name in enumerate(names):
        triple = (was["t"][index], now["t"][index], in_file["t"][index])
        if triple[1] != triple[2]:
            cells.append((name, *triple))
    return cells
