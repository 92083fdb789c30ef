"""`returns_issue` on the demo consortium against a floor: one hand-written SQL
`INSERT … SELECT` doing the same selection (rules 3-5) into a scratch table.

    python -m bench issue_year --scale=20        # DATABASE_URL picks the database

The demo's consortium (not its years) is loaded at the scale given, 2024/25 is
opened and marked ready, then, in one run: the floor, `returns_issue` (no emails:
the floor sends none either), a second `returns_issue` with nothing left to do,
and a dry run. The floor's rows are compared with the lines issued, so the two did
the same selection. The floor rounds in the database (ROUND), which is not half-up
on every database: it is a speed floor, not a second implementation.

`floor_sql(year)` gives the floor's statement and parameters for any year (the
benchmark suite reuses it); the scratch table is `FLOOR_TABLE_SQL`. Beside wall time
each step reports this process's CPU time (the Python side; the database's own time
is in the wall clock only).
"""

from __future__ import annotations

import datetime
import time

from bench.harness import print_table, setup_django, test_database, timed

TODAY = datetime.date(2025, 6, 15)
LABEL = "2024/25"

FLOOR_TABLE_SQL = (
    "CREATE TABLE bench_issue_floor (contract_id integer, supplier_id integer, "
    "member_id integer, lot_id integer, spend numeric(16, 2), target numeric(14, 2))"
)

FLOOR_SQL = """
INSERT INTO bench_issue_floor (contract_id, supplier_id, member_id, lot_id, spend, target)
SELECT c.id, c.supplier_id, c.member_id, c.lot_id, s.spend,
       ROUND(s.spend * CAST(%(rate)s AS NUMERIC) / 100000, 2)
FROM (
    SELECT c.id AS contract_id,
           ROUND(COALESCE(SUM(v.amount), 0), 2) AS spend
    FROM frameworks_contract c
    LEFT JOIN frameworks_valuation v
      ON v.contract_id = c.id
     AND v.period_end >= %(starts_on)s AND v.period_end <= %(ends_on)s
    WHERE c.starts_on <= %(ends_on)s AND c.ends_on >= %(starts_on)s
      AND c.status <> 'cancelled'
    GROUP BY c.id
) s
JOIN frameworks_contract c ON c.id = s.contract_id
JOIN frameworks_lot l ON l.id = c.lot_id
WHERE s.spend >= CAST(%(threshold)s AS NUMERIC) OR l.is_consultancy
"""


def floor_sql(year) -> tuple[str, dict]:
    """The floor's `INSERT … SELECT` into `bench_issue_floor` for a reporting year,
    with its parameters: the lines an issue of `year` would create (rules 3-5)."""
    return FLOOR_SQL, {
        "rate": year.credits_per_100k,
        "threshold": year.spend_threshold,
        "starts_on": year.starts_on,
        "ends_on": year.ends_on,
    }


def _scale(argv: list[str]) -> int:
    for arg in argv:
        if arg.startswith("--scale="):
            return int(arg.split("=", 1)[1])
    return 20


def main(argv: list[str]) -> None:
    setup_django()
    from django.db import connection, transaction

    from demo.load import STEPS, DemoBuild
    from demo.years import build_reporting_years
    from returns.models import ReportingYear, ReturnLine
    from returns.services import returns_issue, year_mark_ready, year_open

    scale = _scale(argv)
    vendor = connection.vendor
    with test_database():
        started = time.perf_counter()
        build = DemoBuild(today=TODAY, scale=scale)
        with transaction.atomic():
            for step in STEPS[: STEPS.index(build_reporting_years)]:
                step(build)
        print(
            f"demo consortium at scale {scale} on {vendor}: "
            f"{time.perf_counter() - started:.1f}s"
        )
        year = year_open(
            label=LABEL,
            issue_on=datetime.date(2025, 4, 14),
            deadline=datetime.date(2025, 6, 30),
        )
        year = year_mark_ready(year=year, acting_user=None)
        sql, params = floor_sql(year)
        with connection.cursor() as cursor:
            cursor.execute(FLOOR_TABLE_SQL)
        results: list = []
        with (
            timed(results, "floor: one INSERT … SELECT", 0, cpu=True),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(sql, params)
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT COUNT(*), COUNT(DISTINCT supplier_id) FROM bench_issue_floor"
            )
            floor_lines, floor_suppliers = cursor.fetchone()
        with timed(results, "returns_issue (first issue)", 0, cpu=True):
            run = returns_issue(
                year=ReportingYear.objects.get(pk=year.pk), send_emails=False
            )
        with timed(results, "returns_issue again (nothing to do)", 0, cpu=True):
            returns_issue(year=ReportingYear.objects.get(pk=year.pk), send_emails=False)
        with timed(results, "dry run", 0, cpu=True):
            returns_issue(year=ReportingYear.objects.get(pk=year.pk), dry_run=True)
        lines = ReturnLine.objects.filter(annual_return__year=year).count()
        results = [
            (label, floor_lines if i == 0 else lines, seconds, cpu, queries)
            for i, (label, _, seconds, cpu, queries) in enumerate(results)
        ]
        print_table(results)
        floor_seconds, issue_seconds = results[0][2], results[1][2]
        print(
            f"same selection: {'yes' if (floor_lines, floor_suppliers) == (lines, run.summary['returns']) else 'NO'} "
            f"({lines} lines, {run.summary['returns']} returns; floor {floor_lines} rows, "
            f"{floor_suppliers} suppliers)"
        )
        print(f"ratio returns_issue / floor: {issue_seconds / floor_seconds:.1f}x")
