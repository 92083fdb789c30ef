"""Sheet titles a workbook accepts: every workbook the portal writes names its sheets
through `sheet_title`.

Excel (and openpyxl, which raises `ValueError` at write time) refuses a title with
any of `/ \\ ? * [ ] :`, one longer than 31 characters, one that starts or ends with
an apostrophe, and two titles in one workbook that differ only in case. Titles are
often built from a year label ("Shortfall 2025/26") or a name, so they are cleaned
here rather than trusted.
"""

import re
from collections.abc import Iterable

MAX_LENGTH = 31
FORBIDDEN = re.compile(r"[/\\?*\[\]:]")
FALLBACK = "Sheet"


def sheet_title(text: str, *, taken: Iterable[str] = ()) -> str:
    """`text` made into a valid sheet title, different (ignoring case) from every
    title in `taken`: forbidden characters become "-", control characters and
    apostrophes at either end go, and it is cut to 31 characters (leaving room for
    " (2)" when it must be told apart from a title already taken)."""
    cleaned = FORBIDDEN.sub("-", str(text))
    cleaned = "".join(ch for ch in cleaned if ch.isprintable())
    cleaned = " ".join(cleaned.split()).strip("'").strip() or FALLBACK
    used = {title.casefold() for title in taken}
    title = cleaned[:MAX_LENGTH].rstrip().strip("'") or FALLBACK
    number = 1
    while title.casefold() in used:
        number += 1
        suffix = f" ({number})"
        title = cleaned[: MAX_LENGTH - len(suffix)].rstrip().strip("'") + suffix
    return title
