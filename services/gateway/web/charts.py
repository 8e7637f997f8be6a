"""Bar charts as SVG data for the figures page, drawn on the server: no script, no chart library.

A suppressed count ("<5") is drawn as a hatched stub and labelled "<5", never as a guessed length.
"""
from __future__ import annotations

from dataclasses import dataclass

BAR_HEIGHT = 22
GAP = 6
LABEL_WIDTH = 150
PLOT_WIDTH = 320
STUB = 6


@dataclass(frozen=True)
class Bar:
    label: str
    value: int | float | str
    y: int
    width: float
    suppressed: bool


@dataclass(frozen=True)
class Chart:
    bars: list[Bar]
    width: int
    height: int
    label_width: int = LABEL_WIDTH


def bar_chart(rows: list[tuple[str, int | float | str]], *, label_width: int = LABEL_WIDTH) -> Chart:
    """One horizontal bar per (label, value); lengths relative to the largest published value."""
    numbers = [value for _, value in rows if isinstance(value, (int, float))]
    largest = max(numbers, default=0) or 1
    bars = []
    for index, (label, value) in enumerate(rows):
        suppressed = not isinstance(value, (int, float))
        width = STUB if suppressed else max(1.0, PLOT_WIDTH * value / largest) if value else 0.0
        bars.append(Bar(label=label, value=value, y=index * (BAR_HEIGHT + GAP), width=round(width, 1),
                        suppressed=suppressed))
    height = max(1, len(rows)) * (BAR_HEIGHT + GAP)
    return Chart(bars=bars, width=label_width + PLOT_WIDTH + 60, height=height, label_width=label_width)
