"""A quick probe of the supplier's heaviest pages on the bench's 300-line return,
without the whole suite (which measures the same pages against their floors):

    DATABASE_URL=postgres://…/<database with the demo loaded> \\
        python -m bench.supplier_pages [--repeat 7]

Prints each page's median server time and its query count. The database must hold a
demo (`load_demo`); the 300-line return is added once, as `make bench` does.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time

from bench.harness import setup_django


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.supplier_pages")
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args(argv)
    setup_django()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, setup_test_environment
    from django.urls import reverse

    from bench import dataset
    from tests.sessions import signed_in

    setup_test_environment()
    annual_return, user = dataset.big_return()
    client = Client(HTTP_HOST="127.0.0.1")
    signed_in(client, user)
    line = annual_return.lines.order_by("contract__reference").first()
    reference = annual_return.reference
    pages = {
        "line page": reverse(
            "supplier:line", kwargs={"reference": reference, "line_id": line.pk}
        ),
        "Your contracts": reverse("supplier:contracts"),
        "task list": reverse("supplier:return_detail", kwargs={"reference": reference}),
    }
    lines = annual_return.lines.count()
    for what, url in pages.items():
        times = []
        for _ in range(args.repeat):
            with CaptureQueriesContext(connection) as queries:
                started = time.perf_counter()
                response = client.get(url)
                times.append(time.perf_counter() - started)
            assert response.status_code == 200, (url, response.status_code)
        median = statistics.median(times) * 1000
        print(f"{what} ({lines} lines): {median:.0f} ms, {len(queries)} queries")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
