"""A return as a workbook a supplier fills in with Excel or LibreOffice.

Prefilled cells (the contract, spend, target) are locked; figures and reasons are not.
Credits are a formula for the supplier's benefit only: the upload never reads them.
The return's identity and each line's version and figures at download are signed into
a very hidden sheet, so an upload knows whose file it is and what changed since.
"""

from __future__ import annotations

import io
from copy import copy
from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone
from django.utils.text import slugify
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, NamedStyle, PatternFill, Protection
from openpyxl.styles.borders import DEFAULT_BORDER
from openpyxl.styles.cell_style import StyleArray
from openpyxl.styles.fills import DEFAULT_EMPTY_FILL
from openpyxl.styles.fonts import DEFAULT_FONT
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from core.exports import neutralise
from core.xlsx.titles import sheet_title
from returns.models import AnnualReturn, ReturnEntry, ReturnLine, YearMeasure

from . import layout
from .context import context_texts
from .instructions import write_instructions

EDITABLE_FILL = PatternFill("solid", fgColor="FFF7D6")
HEADER_FONT = Font(bold=True)
TOP_WRAPPED = Alignment(wrap_text=True, vertical="top")
UNLOCKED = Protection(locked=False)

# The Return sheet's kinds of cell, each a named style registered once and given to
# each cell as a copy of its style array (what `cell.style = name` does, without
# rebuilding the list of style names per cell). Setting font, fill and protection on
# every cell made openpyxl hash each style object again per cell: most of the
# export's time.
CELL_STYLES = {
    "figure": {"fill": EDITABLE_FILL, "protection": UNLOCKED},
    "text": {"fill": EDITABLE_FILL, "protection": UNLOCKED, "alignment": TOP_WRAPPED},
    "date": {
        "fill": EDITABLE_FILL,
        "protection": UNLOCKED,
        "number_format": "dd/mm/yyyy",
    },
    "money": {"number_format": "#,##0.00"},
    "credits": {"number_format": "0.00"},
    # Locked (the default), wrapped, grey: context to read, not to fill in.
    "context": {
        "fill": PatternFill("solid", fgColor="F3F2F1"),
        "alignment": TOP_WRAPPED,
    },
}


@dataclass(frozen=True)
class ReturnWorkbook:
    filename: str
    content: bytes


def year_measures_for(annual_return: AnnualReturn) -> list[YearMeasure]:
    return list(
        YearMeasure.objects.filter(year=annual_return.year, measure__is_active=True)
        .select_related("measure")
        .order_by("measure__position", "measure__code")
    )


def lines_for(annual_return: AnnualReturn) -> list[ReturnLine]:
    return list(
        annual_return.lines.filter(excluded_at__isnull=True)
        .select_related("contract", "member", "lot__framework")
        .order_by("contract__reference")
    )


def entries_by_line(lines: list[ReturnLine]) -> dict[int, dict[str, Decimal]]:
    found: dict[int, dict[str, Decimal]] = {line.pk: {} for line in lines}
    for line_id, code, quantity in ReturnEntry.objects.filter(
        line__in=[line.pk for line in lines]
    ).values_list("line_id", "measure__code", "quantity"):
        found[line_id][code] = quantity
    return found


def line_state(line: ReturnLine, entries: dict[str, Decimal]) -> dict:
    """What the upload compares against: the line as it was when the file was made."""
    return {
        "v": line.version,
        "c": line.contract.reference,
        "q": {code: str(quantity) for code, quantity in sorted(entries.items())},
        "t": [
            line.nothing_delivered_reason,
            line.shortfall_reason,
            line.recovery_plan,
            line.recovery_by.isoformat() if line.recovery_by else "",
        ],
    }


def workbook_filename(annual_return: AnnualReturn) -> str:
    supplier = slugify(annual_return.supplier.name)[:60] or "supplier"
    return f"social-value-return-{supplier}-{annual_return.year.slug}.xlsx"


def build_return_workbook(annual_return: AnnualReturn) -> ReturnWorkbook:
    year_measures = year_measures_for(annual_return)
    lines = lines_for(annual_return)
    entries = entries_by_line(lines)

    workbook = Workbook()
    write_instructions(workbook.active, annual_return)
    _return_sheet(
        workbook.create_sheet(sheet_title(layout.RETURN)),
        lines,
        entries,
        year_measures,
        context_texts(annual_return, lines),
    )
    _measures_sheet(workbook.create_sheet(sheet_title(layout.MEASURES)), year_measures)
    identity = workbook.create_sheet(sheet_title(layout.IDENTITY))
    payload = {
        "return": annual_return.pk,
        "reference": annual_return.reference,
        "supplier": annual_return.supplier_id,
        "supplier_name": annual_return.supplier.name,
        "year": annual_return.year.label,
        "made_at": timezone.now().isoformat(),
        "lines": {str(line.pk): line_state(line, entries[line.pk]) for line in lines},
    }
    for row, piece in enumerate(layout.sign_identity(payload), start=1):
        identity.cell(row=row, column=1, value=piece)
    identity.sheet_state = "veryHidden"
    identity.protection.sheet = True

    workbook.active = 1  # open on the return sheet
    out = io.BytesIO()
    workbook.save(out)
    return ReturnWorkbook(workbook_filename(annual_return), out.getvalue())


def _return_sheet(sheet, lines, entries, year_measures, contexts) -> None:
    columns = list(layout.FIXED)
    measure_start = len(columns) + 1
    for year_measure in year_measures:
        measure = year_measure.measure
        columns.append((f"m:{measure.code}", f"{measure.name} ({measure.unit})", 14))
    measure_end = len(columns)
    columns.extend(layout.TAIL)
    columns.extend(layout.CONTEXT)

    for index, (key, title, width) in enumerate(columns, start=1):
        letter = get_column_letter(index)
        sheet.column_dimensions[letter].width = width
        head = sheet.cell(row=layout.TITLE_ROW, column=index, value=title)
        head.font = HEADER_FONT
        head.alignment = Alignment(wrap_text=True, vertical="top")
        code = key[2:] if key.startswith("m:") else key
        sheet.cell(row=layout.CODE_ROW, column=index, value=code)
    sheet.row_dimensions[layout.TITLE_ROW].height = 75
    sheet.cell(row=layout.RATE_ROW, column=1, value="Credits per unit")
    for offset, year_measure in enumerate(year_measures):
        sheet.cell(
            row=layout.RATE_ROW,
            column=measure_start + offset,
            value=float(year_measure.credits_per_unit),
        )

    first_measure = get_column_letter(measure_start)
    last_measure = get_column_letter(measure_end)
    by_key = {key: index for index, (key, _, _) in enumerate(columns, start=1)}
    names = _named_styles(sheet.parent)
    styles = {key: names["figure"] for key, _, _ in columns if key.startswith("m:")}
    styles.update(dict.fromkeys(layout.TEXT_KEYS, names["text"]))
    styles.update(
        recovery_by=names["date"],
        spend=names["money"],
        target=names["credits"],
        credits=names["credits"],
        plan=names["context"],
        last_year=names["context"],
    )
    decimals = {ym.measure.code: ym.measure.decimal_places for ym in year_measures}
    for row, line in enumerate(lines, start=layout.FIRST_LINE_ROW):
        values = {
            "reference": line.contract.reference,
            "title": line.contract.title,
            "member": line.member.name,
            "framework": line.lot.framework.name,
            "lot": f"{line.lot.number} {line.lot.name}",
            "spend": float(line.spend),
            "target": float(line.target_credits),
            "nothing_delivered_reason": line.nothing_delivered_reason,
            "shortfall_reason": line.shortfall_reason,
            "recovery_plan": line.recovery_plan,
            "recovery_by": line.recovery_by,
            **contexts.get(line.pk, {}),
        }
        for code, quantity in entries[line.pk].items():
            values[f"m:{code}"] = (
                int(quantity) if decimals.get(code) == 0 else float(quantity)
            )
        for key, column in by_key.items():
            cell = sheet.cell(row=row, column=column)
            if key == "credits":
                cell.value = (
                    f"=ROUND(SUMPRODUCT(${first_measure}${layout.RATE_ROW}:"
                    f"${last_measure}${layout.RATE_ROW},"
                    f"{first_measure}{row}:{last_measure}{row}),2)"
                )
            else:
                value = values.get(key)
                cell.value = neutralise(value) if isinstance(value, str) else value
            if key in styles:
                cell._style = copy(styles[key])

    last_row = max(layout.FIRST_LINE_ROW, layout.FIRST_LINE_ROW + len(lines) - 1)
    _validations(sheet, year_measures, measure_start, by_key, last_row)
    sheet.freeze_panes = sheet.cell(row=layout.FIRST_LINE_ROW, column=3)
    sheet.auto_filter.ref = (
        f"A{layout.CODE_ROW}:{get_column_letter(len(columns))}{last_row}"
    )
    sheet.print_title_rows = f"{layout.TITLE_ROW}:{layout.CODE_ROW}"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    # Protection without a password: it keeps prefilled cells from being typed over
    # by accident; the upload ignores them anyway.
    sheet.protection.sheet = True
    sheet.protection.formatColumns = False
    sheet.protection.formatRows = False
    sheet.protection.autoFilter = False
    sheet.protection.sort = False


def _named_styles(workbook) -> dict[str, StyleArray]:
    """Registers CELL_STYLES in the workbook; returns each kind's style array."""
    names = {}
    for kind, parts in CELL_STYLES.items():
        style = NamedStyle(
            name=f"Return {kind}",
            font=DEFAULT_FONT,
            fill=DEFAULT_EMPTY_FILL,
            border=DEFAULT_BORDER,
        )
        for attribute, value in parts.items():
            setattr(style, attribute, value)
        workbook.add_named_style(style)
        names[kind] = style.as_tuple()
    return names


def _validations(sheet, year_measures, measure_start, by_key, last_row) -> None:
    first = layout.FIRST_LINE_ROW
    whole = DataValidation(
        type="whole",
        operator="greaterThanOrEqual",
        formula1="0",
        allow_blank=True,
        showErrorMessage=True,
        errorTitle="Whole number",
        error="Type a whole number, 0 or more (people, placements, projects).",
    )
    decimal = DataValidation(
        type="decimal",
        operator="greaterThanOrEqual",
        formula1="0",
        allow_blank=True,
        showErrorMessage=True,
        errorTitle="Number",
        error="Type a number, 0 or more, with up to 2 decimal places.",
    )
    date = DataValidation(
        type="date",
        operator="greaterThan",
        formula1="1",
        allow_blank=True,
        showErrorMessage=True,
        errorTitle="Date",
        error="Type a date, for example 31/03/2027.",
    )
    for offset, year_measure in enumerate(year_measures):
        letter = get_column_letter(measure_start + offset)
        rule = whole if year_measure.measure.decimal_places == 0 else decimal
        rule.add(f"{letter}{first}:{letter}{last_row}")
    letter = get_column_letter(by_key["recovery_by"])
    date.add(f"{letter}{first}:{letter}{last_row}")
    for rule in (whole, decimal, date):
        if rule.sqref:
            sheet.add_data_validation(rule)


def _measures_sheet(sheet, year_measures) -> None:
    headers = (
        ("Code", 12),
        ("Measure", 50),
        ("Theme", 16),
        ("Unit", 12),
        ("Decimal places", 9),
        ("Credits per unit", 10),
        ("Part of", 16),
        ("Guidance", 90),
    )
    for index, (title, width) in enumerate(headers, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
        sheet.cell(row=1, column=index, value=title).font = HEADER_FONT
    for row, year_measure in enumerate(year_measures, start=2):
        measure = year_measure.measure
        values = (
            measure.code,
            measure.name,
            measure.theme,
            measure.unit,
            measure.decimal_places,
            float(year_measure.credits_per_unit),
            " ".join(measure.part_of or []),
            measure.guidance,
        )
        for index, value in enumerate(values, start=1):
            cell = sheet.cell(row=row, column=index, value=neutralise(value))
            cell.alignment = Alignment(wrap_text=index in (2, 8), vertical="top")
    sheet.freeze_panes = "B2"
    sheet.protection.sheet = True
