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
    """Appends (label, rows, wall seconds, CPU seconds of this process, queries) to
    `results`. CPU time is reported beside wall time because a shared machine's load
    can stretch the wall clock many times over; the database server's own time is in
    the wall clock only."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        started, cpu_started = time.perf_counter(), time.process_time()
        yield
        seconds = time.perf_counter() - started
        cpu = time.process_time() - cpu_started
    results.append((label, rows, seconds, cpu, len(queries.captured_queries)))


def print_table(results: list) -> None:
    print(
        f"{'step':<44} {'rows':>7} {'wall s':>8} {'CPU s':>8} {'rows/CPU s':>10} "
        f"{'queries':>8}"
    )
    for label, rows, seconds, cpu, queries in results:
        rate = rows / cpu if cpu else 0
        print(
            f"{label:<44} {rows:>7} {seconds:>8.2f} {cpu:>8.2f} {rate:>10.0f} "
            f"{queries:>8}"
        )
    print(f"load average: {', '.join(f'{n:.1f}' for n in os.getloadavg())}")
