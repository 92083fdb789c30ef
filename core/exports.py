"""Writing text a spreadsheet program opens, without letting it run as a formula."""

import csv
import io
from collections.abc import Iterable

from core.xlsx.titles import sheet_title

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: object) -> object:
    """Text that a spreadsheet would read as a formula gets a leading apostrophe,
    which Excel and LibreOffice show as text. Numbers and dates pass unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def csv_bytes(header: list[str], rows: Iterable[Iterable[object]]) -> bytes:
    """A UTF-8 CSV (with BOM, so Excel reads the £ sign) with every cell neutralised."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([neutralise(h) for h in header])
    for row in rows:
        writer.writerow(["" if v is None else neutralise(v) for v in row])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def xlsx_bytes(
    header: list[str],
    rows: Iterable[Iterable[object]],
    *,
    title: str = "Export",
    widths: dict[int, int] | None = None,
) -> bytes:
    """A one-sheet xlsx with a bold, frozen header row and every text cell neutralised.

    Written in openpyxl's write-only mode, so a 100,000-row export streams in constant
    memory. `widths` maps a 0-based column index to a width in characters.
    """
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=sheet_title(title))
    sheet.freeze_panes = "A2"
    for index, width in (widths or {}).items():
        sheet.column_dimensions[get_column_letter(index + 1)].width = width
    bold = Font(bold=True)
    header_cells = []
    for text in header:
        cell = WriteOnlyCell(sheet, value=neutralise(text))
        cell.font = bold
        header_cells.append(cell)
    sheet.append(header_cells)
    for row in rows:
        sheet.append([neutralise(v) for v in row])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def xlsx_sheets_bytes(sheets: Iterable[tuple]) -> bytes:
    """An xlsx of several sheets, each (title, header, rows) or (title, header, rows,
    widths), written like `xlsx_bytes`: bold frozen header, every text cell
    neutralised, in write-only mode; the first sheet is the one that opens."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    workbook = Workbook(write_only=True)
    bold = Font(bold=True)
    titles: list[str] = []
    for title, header, rows, *widths in sheets:
        sheet = workbook.create_sheet(title=sheet_title(title, taken=titles))
        titles.append(sheet.title)
        sheet.freeze_panes = "A2"
        for index, width in (widths[0] if widths else {}).items():
            sheet.column_dimensions[get_column_letter(index + 1)].width = width
        header_cells = []
        for text in header:
            cell = WriteOnlyCell(sheet, value=neutralise(text))
            cell.font = bold
            header_cells.append(cell)
        sheet.append(header_cells)
        for row in rows:
            sheet.append([neutralise(v) for v in row])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
