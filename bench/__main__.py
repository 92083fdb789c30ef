"""`python -m bench` (what `make bench` runs): the whole suite on the large data set,
one table written to docs/benchmarks.md (see bench/suite.py; `--help` for options).

`python -m bench import_valuations` runs one of the older stand-alone benchmarks, each
on a throwaway database of its own at a scale it chooses; `--list` names them.
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
        print("\n".join(["(no name: the suite)", *BENCHMARKS]))
        return 0
    if not argv or argv[0] not in BENCHMARKS:
        from bench import suite

        return suite.main(argv[1:] if argv[:1] == ["suite"] else argv)
    names = [a for a in argv if not a.startswith("-")]
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
