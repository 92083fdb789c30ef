"""Ranks the costs of a load test's profile run (bench/load/profiled_wsgi.py):

    python -m bench.load.profile_report DIR [--top 10]
    python -m bench.load.profile_report BEFORE_DIR --after AFTER_DIR [--top 10]

For each request type, the functions with the most time of their own (cProfile's
`tottime`, added up over every request of that type and worker, per request) and the
statements with the most database time (as the driver sees it, per request). Prints
Markdown for docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import json
import pstats
from collections import defaultdict
from pathlib import Path


def _where(key: tuple[str, int, str]) -> str:
    filename, line, function = key
    if filename == "~":  # a built-in: "<method 'execute' of ...>"
        return function
    parts = Path(filename).parts
    for anchor in ("site-packages", "i25-load", "i25-before", "main"):
        if anchor in parts:
            parts = parts[parts.index(anchor) + 1 :]
            break
    return f"{'/'.join(parts[-3:])}:{line} {function}"


def report(folder: Path, top: int) -> str:
    profiles: dict[str, list[Path]] = defaultdict(list)
    sql: dict[str, dict] = {}
    for path in sorted(folder.glob("*.prof")):
        profiles[path.name.split(".")[0]].append(path)
    for path in sorted(folder.glob("*.sql.json")):
        data = json.loads(path.read_text())
        found = sql.setdefault(
            path.name.split(".")[0],
            {"name": data["name"], "requests": 0, "wall": 0.0, "sql": {}},
        )
        found["requests"] += data["requests"]
        found["wall"] += data["wall"]
        for shape, (seconds, count) in data["sql"].items():
            row = found["sql"].setdefault(shape, [0.0, 0])
            row[0] += seconds
            row[1] += count
    out = []
    for key in sorted(profiles, key=lambda k: -sql.get(k, {}).get("wall", 0)):
        stats = pstats.Stats(*map(str, profiles[key]))
        info = sql.get(key, {"name": key, "requests": 0, "wall": 0.0, "sql": {}})
        n = max(info["requests"], 1)
        database = sum(s for s, _ in info["sql"].values())
        queries = sum(c for _, c in info["sql"].values())
        out += [
            f"#### {info['name']}: {info['requests']:,} requests, "
            f"{info['wall'] / n * 1000:.0f} ms each under the profiler, of which "
            f"database {database / n * 1000:.0f} ms in {queries / n:.1f} queries",
            "",
            "| own time per request | calls per request | function |",
            "|---:|---:|---|",
        ]
        rows = sorted(stats.stats.items(), key=lambda item: -item[1][2])[:top]
        for func, (_cc, calls, tottime, _cum, _callers) in rows:
            out.append(
                f"| {tottime / n * 1000:.1f} ms | {calls / n:,.0f} | "
                f"`{_where(func).replace('|', '/')}` |"
            )
        out += ["", "| database per request | queries per request | statement |"]
        out += ["|---:|---:|---|"]
        for shape, (seconds, count) in sorted(
            info["sql"].items(), key=lambda item: -item[1][0]
        )[:5]:
            text = " ".join(shape.split())[:160].replace("|", "/")
            out.append(f"| {seconds / n * 1000:.1f} ms | {count / n:.1f} | `{text}` |")
        out.append("")
    return "\n".join(out)


def _load(folder: Path) -> dict[str, dict]:
    """Per request name: requests, wall and database ms per request, and the top
    functions by own time per request."""
    found: dict[str, dict] = {}
    for path in sorted(folder.glob("*.sql.json")):
        data = json.loads(path.read_text())
        row = found.setdefault(
            data["name"],
            {"requests": 0, "wall": 0.0, "database": 0.0, "queries": 0, "files": []},
        )
        row["requests"] += data["requests"]
        row["wall"] += data["wall"]
        row["database"] += sum(seconds for seconds, _ in data["sql"].values())
        row["queries"] += sum(count for _, count in data["sql"].values())
        row["files"].append(path.with_name(path.name.replace(".sql.json", ".prof")))
    for row in found.values():
        stats = pstats.Stats(*map(str, row.pop("files")))
        n = max(row["requests"], 1)
        row["top"] = [
            (_where(func), tottime / n * 1000)
            for func, (_cc, _calls, tottime, _cum, _callers) in sorted(
                stats.stats.items(), key=lambda item: -item[1][2]
            )
        ]
    return found


def compare(before: Path, after: Path, top: int) -> str:
    old, new = _load(before), _load(after)
    out = []
    for name in sorted(set(old) | set(new)):
        a, b = old.get(name), new.get(name)

        def head(row):
            if not row:
                return "–"
            n = max(row["requests"], 1)
            return (
                f"{row['wall'] / n * 1000:.0f} ms a request under the profiler, "
                f"database {row['database'] / n * 1000:.0f} ms in "
                f"{row['queries'] / n:.1f} queries ({row['requests']} requests)"
            )

        out += [
            f"**{name}** — before: {head(a)}; after: {head(b)}",
            "",
            "| # | before: own time per request | after: own time per request |",
            "|---:|---|---|",
        ]
        for rank in range(top):
            cells = []
            for row in (a, b):
                if row and rank < len(row["top"]):
                    where, ms = row["top"][rank]
                    cells.append(f"{ms:.1f} ms `{where.replace('|', '/')}`")
                else:
                    cells.append("")
            out.append(f"| {rank + 1} | {cells[0]} | {cells[1]} |")
        out.append("")
    return "\n".join(out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--after", type=Path, default=None)
    parser.add_argument("--top", type=int, default=10)
    args = parser.parse_args()
    if args.after:
        print(compare(args.folder, args.after, args.top))
    else:
        print(report(args.folder, args.top))


if __name__ == "__main__":
    main()
