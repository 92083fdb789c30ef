"""The team's review queue (issue 23) at scale: every submitted return ranked by what
needs a look (flags to check, explanations, big changes, members' disputes, open
queries, first-time suppliers; `returns.selectors.review_queue`), a page of 50 with
the reasons as tags. Goal: server median under 300 ms.

The bench data set was built before flags existed, so for the measurement one in
five submitted returns gets a flag on its first line (half of them explained) and
one in ten a big-change count, inside a transaction that is rolled back: the data
set is left as it was. The floor is one hand-written query that pages the same
returns oldest first (what the queue was before it was ranked).

    make bench BENCH_ARGS="--only review --no-write --repeat 3"

or on its own: `python -m bench.review_queue [--repeat 7]` (DATABASE_URL: the bench
database).
"""

from __future__ import annotations

import argparse
import sys

REVIEW_MS = 300.0

FLOOR_SQL = """
SELECT r.id, r.reference, s.name, r.submitted_at
FROM returns_annualreturn r JOIN frameworks_supplier s ON s.id = r.supplier_id
WHERE r.status = 'submitted'
ORDER BY r.submitted_at, r.reference
LIMIT 50
"""


def _seed_reasons() -> int:
    """Flags and big changes on a share of the submitted returns (the caller rolls
    them back). Returns how many returns are submitted."""
    from returns.models import AnnualReturn, LineFlag, ReturnLine

    submitted = list(
        AnnualReturn.objects.filter(status=AnnualReturn.Status.SUBMITTED)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    first_lines = {}
    for return_id, line_id in (
        ReturnLine.objects.filter(annual_return_id__in=submitted[::5])
        .order_by("annual_return_id", "pk")
        .values_list("annual_return_id", "pk")
    ):
        first_lines.setdefault(return_id, line_id)
    LineFlag.objects.bulk_create(
        [
            LineFlag(
                line_id=line_id,
                code=LineFlag.Code.SAME_FILE,
                message="The file is also attached to another contract.",
                explanation="One register covers both sites" if index % 2 else "",
            )
            for index, line_id in enumerate(first_lines.values())
        ],
        batch_size=1000,
        # The demo's own double counting may have flagged a line already.
        ignore_conflicts=True,
    )
    AnnualReturn.objects.filter(pk__in=submitted[::10]).update(big_changes=3)
    return len(submitted)


def measure(repeat: int) -> list[dict]:
    """The queue's pages, each: what, median server ms, database ms, queries, and
    the floor's database ms."""
    from django.db import transaction
    from django.test import Client
    from django.urls import reverse

    from bench import dataset
    from bench.measuring import median_of, sql_runner
    from tests.sessions import signed_in

    team = Client(HTTP_HOST="127.0.0.1")
    signed_in(team, dataset.team_user())
    results = []
    with transaction.atomic():
        submitted = _seed_reasons()
        floor = median_of(sql_runner(FLOOR_SQL), repeat)
        for what, query in (
            ("ranked by what needs a look", ""),
            ("longest waiting first", "?order=waiting"),
            ("ranked, page 5", "?page=5"),
        ):
            url = reverse("team:review_list") + query

            def get(url=url):
                response = team.get(url)
                assert response.status_code == 200, (url, response.status_code)

            page = median_of(get, repeat)
            results.append(
                {
                    "what": f"Review queue, {what} ({submitted:,} submitted returns)",
                    "ms": page.seconds * 1000,
                    "database_ms": page.database * 1000,
                    "queries": page.queries,
                    "floor_ms": floor.database * 1000,
                }
            )
        transaction.set_rollback(True)
    return results


def measure_review(run) -> None:
    """`bench/suite.py`'s hook: one row per page of the queue."""
    from bench.suite import Result, _ms

    for row in measure(run.args.repeat):
        run.add(
            Result(
                "review",
                row["what"],
                _ms(row["ms"] / 1000),
                f"{_ms(row['floor_ms'] / 1000)}: the submitted returns oldest first, "
                "a page of 50 (one query, unranked)",
                None,
                f"server < {REVIEW_MS:.0f} ms",
                row["ms"] < REVIEW_MS,
                f"database {_ms(row['database_ms'] / 1000)} in {row['queries']} queries",
            )
        )


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.review_queue")
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args(argv)
    from bench.harness import setup_django

    setup_django()
    from django.test.utils import setup_test_environment

    setup_test_environment()
    for row in measure(args.repeat):
        print(
            f"{row['what']}: {row['ms']:.0f} ms (database {row['database_ms']:.0f} ms "
            f"in {row['queries']} queries; floor {row['floor_ms']:.1f} ms)"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
