"""Sums of sums, in the database.

A group's shortfall is the sum of its contracts' shortfalls, so its figures need two
levels of GROUP BY: per contract, then per group. The ORM writes the inner level
(with every filter, join and rounding rule); these helpers wrap its SQL in the outer
level, so a page fetches the rows it shows rather than a row per contract.

On SQLite a SUM is a float: every sum here is ROUND(SUM(...), 2) of values the inner
query already rounded to 2 places, and is read back through `round_credits` (a
float through its repr), so both databases give the same Decimals.
"""

import datetime
from decimal import Decimal

from django.db import connection
from django.db.models import QuerySet

from portal.numbers import round_credits

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
    """Orders text as Python's `sorted` does (by code point), whatever the
    database's collation."""
    if connection.vendor == "postgresql":
        return f'LOWER({expression}) COLLATE "C"'
    return f"LOWER({expression})"


def fetch(sql: str, params: tuple) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


class Rows:
    """A table's rows computed by one SQL query, for `Paginator`: `count()` and
    slicing each run one query (LIMIT/OFFSET), iterating fetches every row.
    Subclasses say how to write the query and how to make a row."""

    def __init__(self):
        self._count: int | None = None

    def _sql(self) -> tuple[str, tuple]:
        raise NotImplementedError

    def _make(self, rows: list[tuple]) -> list:
        raise NotImplementedError

    def _select(self, limit: int | None = None, offset: int = 0) -> list:
        sql, params = self._sql()
        if limit is not None:
            sql = f"{sql} LIMIT %s OFFSET %s"
            params = (*params, limit, offset)
        return self._make(fetch(sql, params))

    def count(self) -> int:
        if self._count is None:
            sql, params = self._sql()
            sql = f"SELECT COUNT(*) FROM ({sql}) counted"  # noqa: S608 (our own SQL)
            self._count = fetch(sql, params)[0][0]
        return self._count

    def __len__(self) -> int:
        return self.count()

    def __iter__(self):
        return iter(self._select())

    def __getitem__(self, index):
        if isinstance(index, slice):
            if index.step not in (None, 1):
                raise ValueError("no step")
            start = index.start or 0
            stop = index.stop
            if stop is None:
                return self._select()[start:]
            return self._select(max(stop - start, 0), start)
        return self._select(1, index)[0]
