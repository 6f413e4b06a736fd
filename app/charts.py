"""Horizontal bar charts drawn on the server as SVG: no script, no chart library, nothing
fetched from elsewhere. The template (_chart.html) draws what this works out, and shows the
same figures as a table for anyone who would rather read them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from assessments.register.dashboard import Dashboard
from assessments.register.schemas import Count

WIDTH = 400  # the drawing's own units; it scales to the column, text with it (18 → ~16 px)
ROW = 60  # a label line above each bar
BAR = 22
LABEL_BASELINE = 20


@dataclass(frozen=True)
class Bar:
    label: str
    value: str  # as shown, e.g. "+1,250.5 hours" or "3"
    y: int  # top of its row
    x: float
    width: float


@dataclass(frozen=True)
class BarChart:
    id: str
    title: str
    label_heading: str  # the data table's columns
    value_heading: str
    bars: tuple[Bar, ...]
    zero_x: float  # where the axis is drawn: bars left of it are below zero
    height: int
    bar_offset: int = LABEL_BASELINE + 8
    bar_height: int = BAR
    label_baseline: int = LABEL_BASELINE
    width: int = WIDTH

    @property
    def description(self) -> str:
        """What the chart shows, in words, for a screen reader's account of the image."""
        return "; ".join(f"{bar.label}: {bar.value}" for bar in self.bars)


def _shown(value: Decimal, unit: str, signed: bool) -> str:
    number = f"{value:+,f}" if signed and value else f"{value:,f}"
    number = number.rstrip("0").rstrip(".") if "." in number else number
    return f"{number} {unit}".strip()


def bar_chart(
    chart_id: str,
    title: str,
    counts: Sequence[Count],
    *,
    label_heading: str,
    value_heading: str,
    unit: str = "",
    signed: bool = False,
) -> BarChart:
    """A bar for each count, lengths to one scale from zero (negative values to the left)."""
    low = min([Decimal(0), *(c.value for c in counts)])
    high = max([Decimal(0), *(c.value for c in counts)])
    span = (high - low) or Decimal(1)

    def at(value: Decimal) -> float:
        return round(float((value - low) / span) * WIDTH, 1)

    zero = at(Decimal(0))
    bars = tuple(
        Bar(
            label=count.label,
            value=_shown(count.value, unit, signed),
            y=ROW * row,
            x=min(zero, at(count.value)),
            width=abs(at(count.value) - zero),
        )
        for row, count in enumerate(counts)
    )
    return BarChart(
        chart_id, title, label_heading, value_heading, bars, zero, height=ROW * len(bars)
    )


def dashboard_charts(board: Dashboard) -> list[BarChart]:
    """The home page's charts: ratings, net hours by staff group, actions by status (each only
    when it has something to show)."""
    charts = [
        bar_chart(
            "ratings",
            "Approved assessments by rating",
            board.ratings,
            label_heading="Rating",
            value_heading="Assessments",
        ),
        bar_chart(
            "hours",
            "Net workload hours a year, by staff group",
            board.hours_by_staff_group,
            label_heading="Staff group",
            value_heading="Hours a year",
            unit="hours",
            signed=True,
        ),
        bar_chart(
            "actions",
            "Mitigating actions by status",
            board.actions_by_status,
            label_heading="Status",
            value_heading="Actions",
        ),
    ]
    return [chart for chart in charts if chart.bars]
