"""Reading spreadsheets people upload: hostile-file checks, then strict cell parsers.

`read_table` opens an xlsx or CSV safely and returns its header and rows, each cell
with its sheet, row and column; `cells` turns a cell into a Decimal, date or text or
raises a `CellError` that names where it is and what was expected; `sheet_title`
makes a valid, unique sheet title for every workbook the portal writes. The readers
take and return plain data, so the reference import and the per-return round trip
share them.
"""

from core.xlsx.cells import CellError, Problem
from core.xlsx.reading import Cell, Row, SpreadsheetRefused, Table, read_table
from core.xlsx.titles import sheet_title

__all__ = [
    "Cell",
    "CellError",
    "Problem",
    "Row",
    "SpreadsheetRefused",
    "Table",
    "read_table",
    "sheet_title",
]
