"""Opening an uploaded return workbook with the same guards as every import
(`core.xlsx.reading`: size, a real xlsx, then `core.xlsx.package`'s rule: each part's
unpacked size and compression ratio, no macros, no XML entities), then reading only
the two sheets we need, in read-only mode, with the dimensions reset and our own row
limit."""

from __future__ import annotations

import io
from typing import IO

from django.conf import settings

from core.xlsx.reading import (
    NOT_AN_XLSX,
    OLD_EXCEL,
    TOO_MANY_ROWS,
    UNREADABLE,
    XML_ENTITIES,
    SpreadsheetRefused,
    _read_all,
    check_zip,
)

from . import layout

MAX_COLUMNS = 120  # fixed columns + every measure + the reasons, with room to spare
NOT_XLSX = (
    "The file is not an Excel workbook (.xlsx): download the return's spreadsheet, "
    "fill it in and save it as an Excel Workbook"
)


def read_return_workbook(
    file: IO[bytes] | bytes, *, name: str = ""
) -> tuple[list[tuple], list[str] | None]:
    """The Return sheet's rows and the identity sheet's pieces (None if absent).

    Raises SpreadsheetRefused naming what is wrong; nothing else is read."""
    data = _read_all(file, settings.SPREADSHEET_MAX_BYTES)  # too large, or empty
    if data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise SpreadsheetRefused(OLD_EXCEL)
    if data[:4] != b"PK\x03\x04":
        raise SpreadsheetRefused(
            NOT_AN_XLSX if name.lower().endswith(".xlsx") else NOT_XLSX
        )
    check_zip(data, max_unpacked=settings.SPREADSHEET_MAX_UNPACKED_BYTES)

    from defusedxml.common import DefusedXmlException
    from openpyxl import load_workbook

    max_rows = min(settings.SPREADSHEET_MAX_ROWS, 20_000)
    try:
        workbook = load_workbook(
            io.BytesIO(data), read_only=True, data_only=True, keep_links=False
        )
    except DefusedXmlException as error:
        raise SpreadsheetRefused(XML_ENTITIES) from error
    except Exception as error:  # openpyxl raises many kinds for a broken file
        raise SpreadsheetRefused(UNREADABLE) from error
    try:
        if layout.RETURN not in workbook.sheetnames:
            raise SpreadsheetRefused(
                f"The workbook has no sheet called '{layout.RETURN}': download the "
                "return's spreadsheet and fill that in, without renaming its sheets"
            )
        rows = _rows(workbook[layout.RETURN], max_rows=max_rows)
        pieces = None
        if layout.IDENTITY in workbook.sheetnames:
            pieces = [
                str(row[0])
                for row in _rows(workbook[layout.IDENTITY], max_rows=100, columns=1)
                if row and row[0]
            ]
    except (SpreadsheetRefused, DefusedXmlException) as error:
        if isinstance(error, DefusedXmlException):
            raise SpreadsheetRefused(XML_ENTITIES) from error
        raise
    except Exception as error:
        raise SpreadsheetRefused(UNREADABLE) from error
    finally:
        workbook.close()
    return rows, pieces


def _rows(sheet, *, max_rows: int, columns: int = MAX_COLUMNS) -> list[tuple]:
    if hasattr(sheet, "reset_dimensions"):
        sheet.reset_dimensions()
    rows: list[tuple] = []
    for values in sheet.iter_rows(values_only=True, max_col=columns):
        rows.append(tuple(values))
        if len(rows) > max_rows:
            raise SpreadsheetRefused(
                TOO_MANY_ROWS.format(limit=max_rows), sheet=sheet.title
            )
    while rows and all(
        v is None or (isinstance(v, str) and not v.strip()) for v in rows[-1]
    ):
        rows.pop()  # trailing blank rows a spreadsheet program leaves behind
    return rows
