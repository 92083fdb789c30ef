"""Sums of sums, and pages of them, in the database.

A group's shortfall is the sum of its contracts' shortfalls, so its figures need two
levels of GROUP BY: per contract, then per group. The ORM writes the inner level
(with every filter, join and rounding rule); these helpers wrap its SQL in the outer
level, so a page fetches the rows it shows rather than a row per contract, and gets
the table's total and row count from the same query (window functions).

On SQLite a SUM is a float: every sum here is ROUND(SUM(...), 2) of values the inner
query already rounded to 2 places, and is read back through `round_credits` (a
float through its repr), so both databases give the same Decimals.
"""

import abc
import datetime
from decimal import Decimal

from django.core.paginator import EmptyPage, Page, PageNotAnInteger, Paginator
from django.db import connection
from django.db.models import QuerySet

from core.numbers import round_credits

from .lines import ZERO

# Per contract: is it short, and by how much (max(target - delivered, 0)).
SHORT = "CASE WHEN target > delivered THEN target - delivered ELSE 0 END"
IS_SHORT = "CASE WHEN target > delivered THEN 1 ELSE 0 END"


def credits(value) -> Decimal:
    """A database sum as credits (None, as for no rows, is 0.00)."""
    return ZERO if value is None else round_credits(value)


def as_date(value) -> datetime.date | None:
    """A date read by raw SQL (SQLite gives its ISO text)."""
    if isinstance(value, str):
        return datetime.date.fromisoformat(value)
    return value


def subquery(queryset: QuerySet) -> tuple[str, tuple]:
    sql, params = queryset.query.sql_with_params()
    return f"({sql})", tuple(params)


def text_order(expression: str) -> str:
    """Orders text as Python's `sorted` of `str.lower()` does (by code point),
    whatever the database's collation."""
    if connection.vendor == "postgresql":
        return f'LOWER({expression}) COLLATE "C"'
    return f"LOWER({expression})"


def fetch(sql: str, params: tuple) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def fetch_dicts(sql: str, params: tuple) -> list[dict]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        names = [column[0] for column in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


class _Counted:
    """What `Paginator` needs of rows it does not hold: how many there are."""

    def __init__(self, count: int):
        self._count = count

    def count(self) -> int:
        return self._count


class Rows(abc.ABC):
    """A table's rows computed by one SQL query (`_rows()`: every row, unordered,
    with named columns). `page()` fetches one page with the table's total and row
    count in the same query; iterating fetches every row in order; `total()` sums
    every row. Subclasses say how to order and make rows and what the total sums."""

    # Total column → (the column summed, whether it is credits).
    TOTALS: dict[str, tuple[str, bool]] = {}

    @abc.abstractmethod
    def _rows(self) -> tuple[str, tuple]:
        """Every row's SQL, unordered, with its parameters."""

    @abc.abstractmethod
    def _order(self, table: str) -> str:
        """The ORDER BY terms over the columns of `table`."""

    @abc.abstractmethod
    def _make(self, rows: list[dict]) -> list:
        """The table's row objects from fetched rows."""

    @abc.abstractmethod
    def _make_total(self, sums: dict):
        """The total row from the `TOTALS` sums."""

    def _select(self, sql: str, params: tuple) -> list[dict]:
        """Runs the ordered, perhaps limited SELECT over `_rows()` (a hook for
        subclasses that join details to a page's rows only)."""
        return fetch_dicts(sql, params)

    def _sums(self, over: str = "") -> str:
        sums = []
        for name, (column, is_credits) in self.TOTALS.items():
            total = f"SUM({column}) {over}"
            sums.append(
                f"ROUND({total}, 2) AS total_{name}"
                if is_credits
                else f"{total} AS total_{name}"
            )
        return ", ".join([*sums, f"COUNT(*) {over} AS total_row_count"])

    def _total_of(self, row: dict) -> tuple[object, int]:
        sums = {name: row[f"total_{name}"] for name in self.TOTALS}
        return self._make_total(sums), int(row["total_row_count"])

    def __iter__(self):
        rows, params = self._rows()
        sql = f"SELECT * FROM ({rows}) t ORDER BY {self._order('t')}"  # noqa: S608 (our own SQL)
        return iter(self._make(self._select(sql, params)))

    def total(self):
        """The sum of every row (not only a page's): one query."""
        rows, params = self._rows()
        sql = f"SELECT {self._sums()} FROM ({rows}) t"  # noqa: S608 (our own SQL)
        total, _ = self._total_of(fetch_dicts(sql, params)[0])
        return total

    def page(self, number, per_page: int) -> tuple[Page, object]:
        """The page `number` (read as `Paginator.get_page` reads it: not a number,
        page 1; out of range, the last page) and the total of every row: one query,
        unless the page is out of range (past the first)."""
        try:
            wanted = int(number)
        except (TypeError, ValueError):
            wanted = 1
        if wanted >= 1:
            found, total, count = self._window(per_page, (wanted - 1) * per_page)
            if found:
                return Page(found, wanted, Paginator(_Counted(count), per_page)), total
            if wanted == 1:
                # Nothing from the first row: there are no rows, and their total is
                # the sums of nothing (no query to ask the database for them).
                total, _ = self._total_of(
                    {
                        **{f"total_{name}": None for name in self.TOTALS},
                        "total_row_count": 0,
                    }
                )
                return Page([], 1, Paginator(_Counted(0), per_page)), total
        rows, params = self._rows()
        sql = f"SELECT {self._sums()} FROM ({rows}) t"  # noqa: S608 (our own SQL)
        total, count = self._total_of(fetch_dicts(sql, params)[0])
        paginator = Paginator(_Counted(count), per_page)
        try:
            wanted = paginator.validate_number(number)
        except PageNotAnInteger:
            wanted = 1
        except EmptyPage:
            wanted = paginator.num_pages
        found = []
        if count:
            found, _, _ = self._window(per_page, (wanted - 1) * per_page)
        return Page(found, wanted, paginator), total

    def _window(self, limit: int, offset: int) -> tuple[list, object, int]:
        rows, params = self._rows()
        sql = f"""
            SELECT t.*, {self._sums("OVER ()")}
            FROM ({rows}) t ORDER BY {self._order("t")} LIMIT %s OFFSET %s
        """  # noqa: S608 (our own SQL; every value is a parameter)
        found = self._select(sql, (*params, limit, offset))
        if not found:
            return [], None, 0
        total, count = self._total_of(found[0])
        return self._make(found), total, count
