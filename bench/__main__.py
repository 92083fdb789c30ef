"""The benchmark harness: `python -m bench` runs every benchmark, `python -m bench
import_valuations` one of them; `--list` names them.

A benchmark is a module in this package with a `main(argv: list[str]) -> None`; list
it in BENCHMARKS. Each runs against a throwaway database made like the test
database (on whatever DATABASE_URL names), never against the one you work in; use
`bench.harness.test_database()` and `bench.harness.timed()`.
"""

import importlib
import sys

BENCHMARKS = {
    "import_valuations": "bench.import_valuations",
    "issue_year": "bench.issue_year",
    "completion": "bench.completion",
    "shortfall": "bench.shortfall",
    "spreadsheet_round_trip": "bench.spreadsheet_round_trip",
}


def main(argv: list[str]) -> int:
    if "--list" in argv:
        print("\n".join(BENCHMARKS))
        return 0
    names = [a for a in argv if not a.startswith("-")] or list(BENCHMARKS)
    options = [a for a in argv if a.startswith("-")]
    unknown = [n for n in names if n not in BENCHMARKS]
    if unknown:
        print(
            f"Unknown benchmark(s): {', '.join(unknown)}. Known: {', '.join(BENCHMARKS)}"
        )
        return 2
    for name in names:
        print(f"== {name}")
        importlib.import_module(BENCHMARKS[name]).main(options)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
