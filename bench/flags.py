"""The soft checks of issue 23 on a 300-line return: the flags of a whole return are
computed in a few queries, never per line.

Measured on `dataset.big_return()` (300 lines of the year in season) with every
line given figures that trip a check, inside a transaction that is rolled back:

- computing them: the facts (last year's figures, the delivery plans) in three
  queries and the rules in Python, for all 300 lines;
- the whole save through `lines_save` (the spreadsheet upload's writer), flags
  written in the same transaction, against the same save with no figure that trips
  a check (the floor: what the save costs without any flag to write).

Called from bench/suite.py (`--only flags`).
"""

from __future__ import annotations

import statistics
import time

FACT_QUERIES = 3  # issue 23: "at most a few queries", whatever the lines


def _median(function, repeat: int) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        result = function()
        times.append(time.perf_counter() - started)
    return statistics.median(times), result


def measure(*, annual_return, user, repeat: int) -> list[dict]:
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext

    from returns.models import ReturnLine
    from returns.selectors.flags import soft_check_facts
    from returns.services.lines import LineInput, lines_save, year_measures
    from returns.services.soft_checks import Thresholds, soft_checks

    year = annual_return.year
    lines = list(ReturnLine.objects.filter(annual_return=annual_return))
    measures = year_measures(year)
    by_code = {ym.measure.code: ym for ym in measures}

    def compute():
        facts = soft_check_facts(year=year, lines=lines, year_measures=measures)
        thresholds = Thresholds.of_year(year)
        from decimal import Decimal

        return [
            soft_checks(
                line_id=line.pk,
                quantities={"CAR": Decimal(7), "VOL": Decimal(7), "TRN": Decimal(7)},
                delivered_credits=Decimal("8.75"),
                facts=facts[line.pk],
                thresholds=thresholds,
                measures=by_code,
            )
            for line in lines
        ]

    with CaptureQueriesContext(connection) as queries:
        found = compute()
    compute_queries = len(queries.captured_queries)
    compute_seconds, _ = _median(compute, repeat)

    def save(quantities: dict) -> int:
        with transaction.atomic():
            for line in lines:
                line.refresh_from_db(fields=["version"])
            with CaptureQueriesContext(connection) as captured:
                lines_save(
                    annual_return=annual_return,
                    changes=[
                        LineInput(line.pk, None, quantities, shortfall_reason="x")
                        for line in lines
                    ],
                    user=user,
                )
            transaction.set_rollback(True)
        return len(captured.captured_queries)

    flagged = {"CAR": "7", "VOL": "7", "TRN": "7"}  # the same figure everywhere
    quiet = {"CAR": "7", "VOL": "8"}
    save_seconds, save_queries = _median(lambda: save(flagged), repeat)
    floor_seconds, floor_queries = _median(lambda: save(quiet), repeat)
    return [
        {
            "what": f"Soft checks of a {len(lines)}-line return, computed",
            "seconds": compute_seconds,
            "queries": compute_queries,
            "flags": sum(len(f) for f in found),
        },
        {
            "what": f"Saving a {len(lines)}-line return with a flag on every line "
            "(lines_save, flags written)",
            "seconds": save_seconds,
            "queries": save_queries,
            "floor_seconds": floor_seconds,
            "floor_queries": floor_queries,
        },
    ]
