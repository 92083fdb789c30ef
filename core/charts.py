"""Horizontal bar charts drawn on the server as SVG geometry, for templates to render
(templates/returns/includes/bar_chart.html). No script runs, so the strict Content
Security Policy holds and a printed page shows the chart; every chart sits beside a
table that carries the same figures for those who would rather read them."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

WIDTH = 720
LABEL_WIDTH = 250
VALUE_ROOM = 90
BAR_HEIGHT = 18
BAR_GAP = 4
GROUP_GAP = 14
TOP = 6


@dataclass(frozen=True)
class Bar:
    series: str  # "0" or "1": the colour
    x: int
    y: int
    width: int
    height: int
    text: str
    text_x: int
    text_y: int


@dataclass(frozen=True)
class Group:
    label: str
    label_y: int
    bars: list[Bar]


@dataclass(frozen=True)
class BarChart:
    id: str
    title: str
    summary: str  # read by screen readers: where the same figures are in a table
    series: list[tuple[str, str]]  # (series key, name) for the key
    groups: list[Group]
    width: int
    height: int
    axis_x: int


def bar_chart(
    *,
    id: str,
    title: str,
    summary: str,
    series: list[tuple[str, str]],
    rows: list[tuple[str, list[Decimal | None]]],
    formatter=lambda value: f"{value:,}",
) -> BarChart:
    """One group of bars per row; row values are in the order of `series` (None: no
    bar), scaled to the largest value of the chart."""
    values = [v for _, row in rows for v in row if v is not None]
    largest = max(values, default=Decimal(0)) or Decimal(1)
    plot = WIDTH - LABEL_WIDTH - VALUE_ROOM
    groups = []
    y = TOP
    for label, row in rows:
        bars = []
        first_y = y
        drawn = 0
        for (key, _name), value in zip(series, row, strict=True):
            if value is None:
                continue
            width = int(plot * Decimal(value) / largest) if value > 0 else 0
            bars.append(
                Bar(
                    key,
                    LABEL_WIDTH,
                    y,
                    width,
                    BAR_HEIGHT,
                    formatter(value),
                    LABEL_WIDTH + width + 6,
                    y + BAR_HEIGHT - 5,
                )
            )
            y += BAR_HEIGHT + BAR_GAP
            drawn += 1
        if not drawn:
            y += BAR_HEIGHT + BAR_GAP
        groups.append(Group(label, first_y + BAR_HEIGHT - 5, bars))
        y += GROUP_GAP - BAR_GAP
    return BarChart(
        id=id,
        title=title,
        summary=summary,
        series=series,
        groups=groups,
        width=WIDTH,
        height=y + TOP,
        axis_x=LABEL_WIDTH,
    )


def shorten(label: str, limit: int = 34) -> str:
    return label if len(label) <= limit else label[: limit - 1].rstrip() + "…"
