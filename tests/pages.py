"""Reading figures off pages and downloads as a person sees them.

`Page(html)` finds a table cell by its row's first cell and its column's heading, or
an element by its `id` or `data-figure`; `Workbook(content)` finds a cell of a
workbook's first sheet the same way. Both give the text shown (a workbook's numbers
as numbers), so a test compares what people read, not what a view put in its
context.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser


def _clean(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


@dataclass
class _Table:
    headings: list[str] = field(default_factory=list)
    rows: list[list[str]] = field(default_factory=list)


class _Reader(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tables: list[_Table] = []
        self.marked: dict[str, str] = {}  # id / data-figure → text
        self._tables: list[_Table] = []
        self._row: list[str] | None = None
        self._cell: list[str] | None = None
        self._in_head = False
        self._open: list[tuple[str, str | None, list[str]]] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in ("br", "p", "div", "li", "span"):
            self.handle_data(" ")  # a line break reads as a space
        if tag == "table":
            self._tables.append(_Table())
        elif tag == "thead":
            self._in_head = True
        elif tag == "tr" and self._tables:
            self._row = []
        elif tag in ("td", "th") and self._row is not None:
            self._cell = []
        mark = attrs.get("data-figure") or attrs.get("id")
        if tag not in ("br", "img", "input", "meta", "link", "hr"):
            self._open.append((tag, mark, []))

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None and self._row is not None:
            self._row.append(_clean("".join(self._cell)))
            self._cell = None
        elif tag == "tr" and self._row is not None and self._tables:
            table = self._tables[-1]
            if self._in_head:
                table.headings = self._row
            else:
                table.rows.append(self._row)
            self._row = None
        elif tag == "thead":
            self._in_head = False
        elif tag == "table" and self._tables:
            self.tables.append(self._tables.pop())
        while self._open:
            open_tag, mark, text = self._open.pop()
            if mark:
                self.marked.setdefault(mark, _clean("".join(text)))
            if open_tag == tag:
                break

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)
        for _, _, text in self._open:
            text.append(data)


class Page:
    def __init__(self, html: str):
        reader = _Reader()
        reader.feed(html)
        self.tables = reader.tables
        self.marked = reader.marked
        self.text = _clean(re.sub(r"<[^>]+>", " ", html))

    def cell(self, row: str, column: str) -> str:
        """The text of the cell in `column` (a heading) of the first row, in any
        table, whose first cell starts with `row`."""
        for table in self.tables:
            if column not in table.headings:
                continue
            index = table.headings.index(column)
            for cells in table.rows:
                if cells and cells[0].startswith(row) and index < len(cells):
                    return cells[index]
        raise LookupError(f"no cell for row {row!r}, column {column!r}")

    def rows(self, column: str) -> list[str]:
        """The first cell of every row of the tables that have `column`."""
        return [
            cells[0]
            for table in self.tables
            if column in table.headings
            for cells in table.rows
            if cells
        ]

    def figure(self, mark: str) -> str:
        """The text of the element with this `id` or `data-figure`."""
        if mark not in self.marked:
            raise LookupError(f"nothing marked {mark!r}")
        return self.marked[mark]


class Workbook:
    def __init__(self, content: bytes):
        from openpyxl import load_workbook

        sheet = load_workbook(io.BytesIO(content), data_only=True).active
        values = list(sheet.iter_rows(values_only=True))
        self.headings = [str(value) for value in values[0]]
        self.rows = [list(row) for row in values[1:]]

    def cell(self, row: str, column: str):
        index = self.headings.index(column)
        for cells in self.rows:
            if cells and str(cells[0] or "").startswith(row):
                return cells[index]
        raise LookupError(f"no cell for row {row!r}, column {column!r}")

    def first_cells(self) -> list[str]:
        return [str(cells[0]) for cells in self.rows if cells and cells[0]]
