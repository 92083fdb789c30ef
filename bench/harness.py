"""What benchmarks share: Django set up, a throwaway database, a timer that also
counts queries."""

import os
import sys
import time
from contextlib import contextmanager
from pathlib import Path


def setup_django() -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    import django

    django.setup()


@contextmanager
def test_database():
    """A fresh database made (and migrated) like pytest's, destroyed afterwards."""
    from django.db import connection

    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        yield connection
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


@contextmanager
def timed(results: list, label: str, rows: int):
    """Appends (label, rows, seconds, queries) to `results`."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        yield
        seconds = time.perf_counter() - started
    results.append((label, rows, seconds, len(queries.captured_queries)))


def print_table(results: list) -> None:
    print(f"{'step':<44} {'rows':>7} {'seconds':>8} {'rows/s':>8} {'queries':>8}")
    for label, rows, seconds, queries in results:
        rate = rows / seconds if seconds else 0
        print(f"{label:<44} {rows:>7} {seconds:>8.2f} {rate:>8.0f} {queries:>8}")
