"""Opening an uploaded xlsx or CSV without letting it hurt us.

Before openpyxl sees a byte: the file's size, then each zip member's declared size and
compression ratio (Python's zipfile never inflates past the declared size, so the
declared size is a bound we can trust). Then openpyxl reads with `read_only=True,
data_only=True` through defusedxml, `reset_dimensions()` (a read-only sheet trusts the
file's own dimension header, which can lie), and we stop at our own row limit.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import IO

from django.conf import settings

from core.uploads import EMPTY, too_large
from core.xlsx.cells import Problem, is_blank
from core.xlsx.package import (
    COMPRESSED_TOO_FAR,
    MACROS,
    UNPACKS_TOO_LARGE,
    WORD,
    XML_ENTITIES,
    PackageRefused,
    inspect_package,
)

NOT_A_SPREADSHEET = (
    "The file is not an Excel workbook (.xlsx) or a CSV file: save it from your "
    "spreadsheet program as one of those"
)
NOT_AN_XLSX = (
    "The file is named .xlsx but is not an Excel workbook: save it again as "
    '"Excel Workbook (.xlsx)"'
)
OLD_EXCEL = 'Files in the old Excel format (.xls) are not accepted: save it as "Excel Workbook (.xlsx)"'
A_WORD_DOCUMENT = (
    "The file is a Word document, not an Excel workbook: save the spreadsheet as an "
    '"Excel Workbook (.xlsx)" and upload that'
)
UNREADABLE = (
    "The workbook could not be read: save it again as an Excel Workbook (.xlsx)"
)
TOO_MANY_ROWS = "The sheet has more than {limit:,} rows: split it into several files"
TOO_MANY_COLUMNS = "The sheet has more than {limit} columns"
NO_HEADER = "The file is empty: the first row should hold the column headings"
NO_SHEET = "The workbook has no sheet called {name}"
NOT_TEXT = "The CSV file is not text: save it again as CSV (UTF-8)"
UNNAMED_COLUMN = "Expected nothing here: this column has no heading in row {row}"
DUPLICATE_HEADING = "Expected each column heading once: {header} appears twice"

MAX_COLUMNS = 200

__all__ = [  # the package rule's messages, for the readers and their tests
    "A_WORD_DOCUMENT",
    "COMPRESSED_TOO_FAR",
    "EMPTY",
    "MACROS",
    "NOT_AN_XLSX",
    "UNPACKS_TOO_LARGE",
    "XML_ENTITIES",
    "SpreadsheetRefused",
    "check_zip",
    "read_table",
]


class SpreadsheetRefused(Exception):
    """The file as a whole is refused: nothing in it was read."""

    def __init__(self, message: str, *, sheet: str = ""):
        self.problem = Problem(message=message, sheet=sheet)
        super().__init__(message)


def normalise_header(text: object) -> str:
    return " ".join(str(text or "").split()).casefold()


@dataclass(frozen=True)
class Cell:
    value: object
    sheet: str
    row: int
    column: str
    header: str


@dataclass
class Row:
    table: Table
    number: int
    values: tuple

    def cell(self, header: str) -> Cell:
        """The cell under `header` (a missing optional column gives an empty cell)."""
        index = self.table.index.get(normalise_header(header))
        if index is None:
            return Cell(None, self.table.sheet, self.number, "", header)
        value = self.values[index] if index < len(self.values) else None
        if isinstance(value, str):
            value = value.strip()
        return Cell(
            value,
            self.table.sheet,
            self.number,
            column_letter(index),
            self.table.header[index],
        )

    def problem(self, message: str, header: str = "", value: object = None) -> Problem:
        """A problem on this row, under `header` if given."""
        cell = self.cell(header) if header else None
        from core.xlsx.cells import shown

        return Problem(
            message=message,
            sheet=self.table.sheet,
            row=self.number,
            column=cell.column if cell else "",
            header=cell.header if cell else "",
            value=shown(cell.value if cell and value is None else value),
        )


@dataclass
class Table:
    """One sheet: its headings (row `header_row`) and the non-blank rows under them."""

    sheet: str
    header: list[str]
    header_row: int = 1
    rows: list[Row] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    def __post_init__(self):
        self.index: dict[str, int] = {}
        for position, heading in enumerate(self.header):
            key = normalise_header(heading)
            if not key:
                continue
            if key in self.index:
                self.problems.append(
                    Problem(
                        message=DUPLICATE_HEADING.format(header=heading),
                        sheet=self.sheet,
                        row=self.header_row,
                        column=column_letter(position),
                    )
                )
                continue
            self.index[key] = position

    @property
    def headings(self) -> set[str]:
        return set(self.index)

    def column_of(self, header: str) -> str:
        index = self.index.get(normalise_header(header))
        return "" if index is None else column_letter(index)


def column_letter(index: int) -> str:
    """0 → A, 25 → Z, 26 → AA."""
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


def _size_of(file) -> int | None:
    """The size of an upload or local file without reading it, when it can be had."""
    size = getattr(file, "size", None)
    if isinstance(size, int):
        return size
    try:
        position = file.tell()
        file.seek(0, io.SEEK_END)
        size = file.tell()
        file.seek(position)
        return size
    except (AttributeError, OSError, ValueError):
        return None


def _read_all(file: IO[bytes] | bytes, limit: int) -> bytes:
    """The file's bytes, at most `limit` of them: a larger file is refused with its
    own size; an empty one as empty."""
    if isinstance(file, bytes | bytearray):
        data = bytes(file)
    else:
        size = _size_of(file)
        if size is not None and size > limit:
            raise SpreadsheetRefused(too_large(size, limit))
        if hasattr(file, "seek"):
            file.seek(0)
        data = file.read(limit + 1)
    if len(data) > limit:
        raise SpreadsheetRefused(
            too_large(len(data) if isinstance(file, bytes | bytearray) else None, limit)
        )
    if not data:
        raise SpreadsheetRefused(EMPTY)
    return data


def check_zip(data: bytes, *, max_unpacked: int) -> None:
    """The one rule for packages (`core.xlsx.package`), for a workbook: refuses a
    zip whose parts declare too much or compress too far, macros, XML entities, and
    a package that is not a workbook."""
    try:
        kind = inspect_package(data, max_unpacked=max_unpacked)
    except PackageRefused as refused:
        message = NOT_AN_XLSX if refused.not_a_package else str(refused)
        raise SpreadsheetRefused(message) from refused
    if kind == WORD:
        raise SpreadsheetRefused(A_WORD_DOCUMENT)


def _table_from_rows(rows: Iterable[tuple], *, sheet: str, max_rows: int) -> Table:
    table: Table | None = None
    for number, values in enumerate(rows, start=1):
        if table is None:
            if all(is_blank(v) for v in values):
                continue
            header = [" ".join(str(v).split()) if v is not None else "" for v in values]
            while header and not header[-1]:
                header.pop()
            table = Table(sheet=sheet, header=header, header_row=number)
            continue
        width = len(table.header)
        beyond = values[width:]
        if beyond.count(None) == len(beyond):
            # openpyxl pads every row to `max_col` with None: dropped here in one C
            # call, so the checks below look at the named columns only (they were
            # most of the reading's own time on a 3-column file of 20,000 rows).
            values = values[:width]
        if all(is_blank(v) for v in values):
            continue
        if len(table.rows) >= max_rows:
            raise SpreadsheetRefused(TOO_MANY_ROWS.format(limit=max_rows), sheet=sheet)
        row = Row(table=table, number=number, values=tuple(values))
        for position, value in enumerate(values):
            if (position >= width or not table.header[position]) and not is_blank(
                value
            ):
                table.problems.append(
                    Problem(
                        message=UNNAMED_COLUMN.format(row=table.header_row),
                        sheet=sheet,
                        row=number,
                        column=column_letter(position),
                        value=str(value)[:60],
                    )
                )
        table.rows.append(row)
    if table is None:
        raise SpreadsheetRefused(NO_HEADER, sheet=sheet)
    return table


def _read_xlsx(data: bytes, *, sheet: str | None, max_rows: int, max_unpacked: int):
    check_zip(data, max_unpacked=max_unpacked)
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(
            io.BytesIO(data), read_only=True, data_only=True, keep_links=False
        )
    except Exception as error:  # openpyxl raises many kinds for a broken file
        raise _refusal(error) from error
    try:
        if sheet is not None:
            if sheet not in workbook.sheetnames:
                raise SpreadsheetRefused(NO_SHEET.format(name=sheet))
            worksheet = workbook[sheet]
        else:
            worksheet = workbook.worksheets[0]
        if hasattr(worksheet, "reset_dimensions"):
            worksheet.reset_dimensions()
        # One row past the limit (plus the header) is enough to know it is too many.
        rows = worksheet.iter_rows(values_only=True, max_col=MAX_COLUMNS + 1)
        try:
            table = _table_from_rows(
                _limit_columns(rows, worksheet.title),
                sheet=worksheet.title,
                max_rows=max_rows,
            )
        except SpreadsheetRefused:
            raise
        except Exception as error:
            raise _refusal(error) from error
    finally:
        workbook.close()
    return table


def _refusal(error: BaseException) -> SpreadsheetRefused:
    """openpyxl wraps defusedxml's refusal in its own errors: look down the chain.
    (`check_zip` refuses entities before openpyxl opens anything; this stays as a
    second guard.)"""
    from defusedxml.common import DefusedXmlException

    seen = error
    while seen is not None:
        if isinstance(seen, DefusedXmlException):
            return SpreadsheetRefused(XML_ENTITIES)
        seen = seen.__cause__ or seen.__context__
    return SpreadsheetRefused(UNREADABLE)


def _limit_columns(rows: Iterable[tuple], sheet: str):
    for values in rows:
        if len(values) > MAX_COLUMNS and not is_blank(values[MAX_COLUMNS]):
            raise SpreadsheetRefused(
                TOO_MANY_COLUMNS.format(limit=MAX_COLUMNS), sheet=sheet
            )
        yield values[:MAX_COLUMNS]


def _read_csv(data: bytes, *, name: str, max_rows: int) -> Table:
    if b"\x00" in data[:8192]:
        raise SpreadsheetRefused(NOT_TEXT)
    try:
        content = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        content = data.decode("cp1252", errors="replace")  # Excel's "CSV" on Windows
    reader = csv.reader(io.StringIO(content, newline=""))

    def rows():
        for values in reader:
            if len(values) > MAX_COLUMNS:
                raise SpreadsheetRefused(TOO_MANY_COLUMNS.format(limit=MAX_COLUMNS))
            yield tuple(v if v != "" else None for v in values)

    try:
        return _table_from_rows(rows(), sheet=name, max_rows=max_rows)
    except csv.Error as error:
        raise SpreadsheetRefused(NOT_A_SPREADSHEET) from error


def read_table(
    file: IO[bytes] | bytes,
    *,
    name: str,
    sheet: str | None = None,
    max_bytes: int | None = None,
    max_unpacked_bytes: int | None = None,
    max_rows: int | None = None,
) -> Table:
    """The header and rows of an uploaded xlsx (its first sheet, or `sheet`) or CSV.

    Raises `SpreadsheetRefused` for a file that is too large, unpacks to too much, has
    too many rows, is not a spreadsheet, or declares XML entities. Limits default to
    the SPREADSHEET_* settings."""
    max_bytes = max_bytes or settings.SPREADSHEET_MAX_BYTES
    max_unpacked_bytes = max_unpacked_bytes or settings.SPREADSHEET_MAX_UNPACKED_BYTES
    max_rows = max_rows or settings.SPREADSHEET_MAX_ROWS
    data = _read_all(file, max_bytes)
    lower = (name or "").lower()
    if data[:4] == b"PK\x03\x04":
        return _read_xlsx(
            data, sheet=sheet, max_rows=max_rows, max_unpacked=max_unpacked_bytes
        )
    if lower.endswith((".xlsx", ".xlsm")):
        raise SpreadsheetRefused(NOT_AN_XLSX)
    if lower.endswith(".xls") or data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise SpreadsheetRefused(OLD_EXCEL)
    if lower.endswith((".csv", ".txt")):
        return _read_csv(data, name=name.rsplit("/", 1)[-1], max_rows=max_rows)
    raise SpreadsheetRefused(NOT_A_SPREADSHEET)
