"""Ranks where gunicorn's workers spent their CPU in a load test run with `--py-spy`
(py-spy's collapsed stacks, one file per worker; idle threads are not sampled):

    python -m bench.load.spy_report FOLDER [--top 10]

Each sample is put to the view it was in (the first frame of the portal's apps or
allauth's views below Django's handler, decorators skipped), so the table gives each
view's share of the workers' CPU; then, per view, the functions the samples were in
(their own time, the stack's last frame). Middleware, sessions and sign-in checks
before the view count as "before the view". Prints Markdown.
"""

from __future__ import annotations

import argparse
import re
from collections import Counter, defaultdict
from pathlib import Path

FRAME = re.compile(r"^(?P<function>.+) \((?P<file>[^:()]+):(?P<line>\d+)\)$")
APPS = ("returns/", "accounts/", "portal/", "frameworks/", "support/", "api/")


def _frame(text: str) -> tuple[str, str]:
    found = FRAME.match(text.strip())
    if not found:
        return text.strip(), ""
    return found["function"], found["file"]


def label(frames: list[str]) -> str:
    handler = next(
        (i for i, f in enumerate(frames) if "_get_response (django/core/handlers" in f),
        None,
    )
    if handler is None:
        if any("django/core/handlers" in f for f in frames):
            return "before the view (middleware, sessions, the user)"
        return "outside requests (gunicorn, start-up)"
    for text in frames[handler + 1 :]:
        function, file = _frame(text)
        if "<locals>" in function:
            continue
        if file.startswith(APPS) or (file.startswith("allauth/") and "views" in file):
            return f"{function.split('.')[0]} ({file})"
    return "other views"


def report(folder: Path, top: int) -> str:
    views: Counter = Counter()
    own: dict[str, Counter] = defaultdict(Counter)
    for path in sorted(folder.glob("py-spy.*.txt")):
        for line in path.read_text().splitlines():
            stack, _, count = line.rpartition(" ")
            if not stack.strip():
                continue  # a sample with no Python frame
            frames = stack.split(";")
            name = label(frames)
            views[name] += int(count)
            function, file = _frame(frames[-1])
            own[name][f"{function} ({file})"] += int(count)
    total = sum(views.values()) or 1
    out = [
        f"{total:,} samples (50 a second per worker thread while it ran Python)",
        "",
        "| view | share of the workers' CPU |",
        "|---|---:|",
    ]
    out += [f"| `{name}` | {n / total:.1%} |" for name, n in views.most_common(15)]
    for name, n in views.most_common(8):
        out += ["", f"**{name}** ({n / total:.1%}): where its samples were", ""]
        out += ["| share of this view | function (own time) |", "|---:|---|"]
        out += [
            f"| {k / n:.1%} | `{function}` |"
            for function, k in own[name].most_common(top)
        ]
    return "\n".join(out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--top", type=int, default=10)
    args = parser.parse_args()
    print(report(args.folder, args.top))


if __name__ == "__main__":
    main()
