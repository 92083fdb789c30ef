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
def timed(results: list, label: str, rows: int, *, cpu: bool = False):
    """Appends (label, rows, wall seconds, queries) to `results`; with `cpu`,
    (label, rows, wall seconds, CPU seconds of this process, queries). CPU time is
    worth reporting beside wall time on a shared machine, whose load can stretch the
    wall clock many times over; the database server's own time is in the wall clock
    only."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        started, cpu_started = time.perf_counter(), time.process_time()
        yield
        seconds = time.perf_counter() - started
        cpu_seconds = time.process_time() - cpu_started
    count = len(queries.captured_queries)
    results.append(
        (label, rows, seconds, cpu_seconds, count)
        if cpu
        else (label, rows, seconds, count)
    )


def print_table(results: list) -> None:
    """Prints rows from `timed`, with a CPU column when they have one."""
    with_cpu = any(len(row) == 5 for row in results)
    cpu_heading = f" {'CPU s':>8} {'rows/CPU s':>10}" if with_cpu else f" {'rows/s':>8}"
    print(f"{'step':<44} {'rows':>7} {'wall s':>8}{cpu_heading} {'queries':>8}")
    for row in results:
        if len(row) == 5:
            label, rows, seconds, cpu_seconds, queries = row
            rate = rows / cpu_seconds if cpu_seconds else 0
            extra = f" {cpu_seconds:>8.2f} {rate:>10.0f}"
        else:
            label, rows, seconds, queries = row
            rate = rows / seconds if seconds else 0
            extra = f" {rate:>8.0f}"
        print(f"{label:<44} {rows:>7} {seconds:>8.2f}{extra} {queries:>8}")
    print(f"load average: {', '.join(f'{n:.1f}' for n in os.getloadavg())}")
