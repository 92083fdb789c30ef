"""Reading lines' flags (issue 23): what a return's pages, its submission and the
review queue show. Each function is one query, whatever the number of lines or
returns."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from django.db.models import Count, Q

from ..models import AnnualReturn, LineFlag, ReturnLine


@dataclass(frozen=True)
class FlagCounts:
    """A return's flags: all of them, those without an explanation, those the team
    has not marked checked."""

    total: int = 0
    unexplained: int = 0
    unchecked: int = 0


NO_FLAGS = FlagCounts()


def flag_counts_by_return(return_ids: Collection[int]) -> dict[int, FlagCounts]:
    """Flag counts of many returns in one query; a return without flags is left
    out (read it with `.get(pk, NO_FLAGS)`). Flags of excluded lines are left out:
    an excluded line counts nowhere."""
    if not return_ids:
        return {}
    rows = (
        LineFlag.objects.filter(
            line__annual_return_id__in=return_ids, line__excluded_at__isnull=True
        )
        .values("line__annual_return_id")
        .annotate(
            total=Count("pk"),
            unexplained=Count("pk", filter=Q(explanation="")),
            unchecked=Count("pk", filter=Q(checked_at__isnull=True)),
        )
        .order_by()
    )
    return {
        row["line__annual_return_id"]: FlagCounts(
            total=row["total"],
            unexplained=row["unexplained"],
            unchecked=row["unchecked"],
        )
        for row in rows
    }


def return_flags(annual_return: AnnualReturn | int) -> list[LineFlag]:
    """Every flag on a return's lines that are not excluded, in the lines' order,
    each with its line and contract (and who explained and checked it) loaded: one
    query."""
    return_id = getattr(annual_return, "pk", annual_return)
    return list(
        LineFlag.objects.filter(
            line__annual_return_id=return_id, line__excluded_at__isnull=True
        )
        .select_related("line__contract", "explained_by", "checked_by")
        .order_by("line__contract__reference", "code", "measure_code")
    )


def flags_by_line(annual_return: AnnualReturn | int) -> dict[int, list[LineFlag]]:
    """`return_flags` grouped by line id (one query)."""
    grouped: dict[int, list[LineFlag]] = {}
    for flag in return_flags(annual_return):
        grouped.setdefault(flag.line_id, []).append(flag)
    return grouped


def line_flags(line: ReturnLine | int) -> list[LineFlag]:
    """One line's flags (one query)."""
    line_id = getattr(line, "pk", line)
    return list(
        LineFlag.objects.filter(line_id=line_id)
        .select_related("explained_by", "checked_by")
        .order_by("code", "measure_code")
    )


def unexplained_flags(annual_return: AnnualReturn | int) -> list[LineFlag]:
    """The flags a submission waits for: on a line not excluded, without an
    explanation (one query)."""
    return [f for f in return_flags(annual_return) if not f.is_explained]
