"""The portal's WSGI application with each request profiled, for the load test's
profile run only (`python -m bench.load_test --profile DIR`; never in production).

Each request runs under its own `cProfile.Profile` (it profiles only the thread it is
enabled in, so gunicorn's threads do not mix) and its own query timer; both are added
up per request type, named by the `X-Load` header the locustfile sends, and written to
DIR every few requests as `<type>.<pid>.prof` (pstats) and `<type>.<pid>.sql.json`
(time and count per statement, literals masked). `bench/load/profile_report.py` merges
them. cProfile roughly doubles the Python side's cost: its times rank costs within a
request type; they are not the load test's timings.
"""

from __future__ import annotations

import cProfile
import json
import os
import pstats
import re
import threading
import time
from collections import defaultdict
from pathlib import Path

from portal.wsgi import application as portal_application

OUT = Path(os.environ["LOAD_PROFILE_DIR"])
_lock = threading.Lock()
_stats: dict[str, pstats.Stats] = {}
_sql: dict[str, dict[str, list[float]]] = defaultdict(
    lambda: defaultdict(lambda: [0.0, 0])
)
_counts: dict[str, int] = defaultdict(int)
_wall: dict[str, float] = defaultdict(float)
_NUMBERS = re.compile(r"\b\d+\b")
_STRINGS = re.compile(r"'(?:[^']|'')*'")
_IN_LISTS = re.compile(r"IN \((?:%s|\?)(?:, (?:%s|\?))*\)")


def _shape(sql: str) -> str:
    sql = _STRINGS.sub("'?'", sql)
    sql = _NUMBERS.sub("N", sql)
    return _IN_LISTS.sub("IN (…)", sql)[:400]


class _Queries:
    def __init__(self) -> None:
        self.rows: dict[str, list[float]] = defaultdict(lambda: [0.0, 0])

    def __call__(self, execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            row = self.rows[_shape(sql)]
            row[0] += time.perf_counter() - started
            row[1] += 1


def application(environ, start_response):
    from django.db import connection

    name = environ.get("HTTP_X_LOAD", "untagged|").rsplit("|", 1)[0]
    profile, queries = cProfile.Profile(), _Queries()
    started = time.perf_counter()
    profile.enable()
    try:
        with connection.execute_wrapper(queries):
            # Django's responses are lists of bytes: the whole page is built here.
            body = list(portal_application(environ, start_response))
    finally:
        profile.disable()
    _add(name, profile, queries, time.perf_counter() - started)
    return body


def _add(name: str, profile: cProfile.Profile, queries: _Queries, wall: float) -> None:
    with _lock:
        if name in _stats:
            _stats[name].add(profile)
        else:
            _stats[name] = pstats.Stats(profile)
        for shape, (seconds, count) in queries.rows.items():
            row = _sql[name][shape]
            row[0] += seconds
            row[1] += count
        _counts[name] += 1
        _wall[name] += wall
        if _counts[name] % 20 == 1:
            _dump(name)


def _dump(name: str) -> None:
    safe = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
    pid = os.getpid()
    _stats[name].dump_stats(OUT / f"{safe}.{pid}.prof")
    (OUT / f"{safe}.{pid}.sql.json").write_text(
        json.dumps(
            {
                "name": name,
                "requests": _counts[name],
                "wall": _wall[name],
                "sql": {k: v for k, v in _sql[name].items()},
            }
        )
    )


def dump_all() -> None:
    with _lock:
        for name in list(_stats):
            _dump(name)
