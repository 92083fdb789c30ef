"""Timing what the suite measures: medians of repeated runs, a page's server and
database time, a query's database time."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass


class QueryTimer:
    """A `connection.execute_wrapper` that counts queries and adds up their time (as
    the database driver sees it: the server's work and the round trip)."""

    def __init__(self) -> None:
        self.count = 0
        self.seconds = 0.0

    def __call__(self, execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.seconds += time.perf_counter() - started
            self.count += 1


@dataclass
class Timing:
    """Medians of several runs: wall seconds, database seconds, queries."""

    seconds: float
    database: float
    queries: int
    runs: int


def median_of(run: Callable[[], object], repeat: int, *, warm: bool = True) -> Timing:
    """Runs `run` `repeat` times (after one untimed run when `warm`, so caches and
    compiled templates are what a live server would have) and returns the medians."""
    from django.db import connection

    if warm:
        run()
    walls, databases, counts = [], [], []
    for _ in range(repeat):
        timer = QueryTimer()
        with connection.execute_wrapper(timer):
            started = time.perf_counter()
            run()
            walls.append(time.perf_counter() - started)
        databases.append(timer.seconds)
        counts.append(timer.count)
    return Timing(
        seconds=statistics.median(walls),
        database=statistics.median(databases),
        queries=round(statistics.median(counts)),
        runs=repeat,
    )


def sql_runner(sql: str, params: object = None) -> Callable[[], object]:
    """A run that executes one hand-written query and fetches every row."""
    from django.db import connection

    def run() -> object:
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()

    return run


def sqls_runner(*queries: tuple[str, object]) -> Callable[[], object]:
    """Several hand-written queries run one after the other (a page's floor when its
    figures need more than one GROUP BY)."""
    runs = [sql_runner(sql, params) for sql, params in queries]

    def run() -> object:
        return [one() for one in runs]

    return run
