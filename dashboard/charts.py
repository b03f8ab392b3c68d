"""The dashboard's charts as plain geometry for SVG templates (no JavaScript, no library).

Each chart is sized in a fixed viewBox the browser scales; every figure carries its value as
text (a label beside the bar, and a `<title>` a screen reader or a hover reads), axes and the
chart's title are drawn in the SVG itself, and the fills are told apart by lightness and
pattern, so a chart printed in black and white reads the same.
"""

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

WIDTH = 640
# Room for the title, the y-axis labels, the x-axis labels and the axis names.
TOP, LEFT, RIGHT, BOTTOM = 34, 64, 16, 46
COLUMN_HEIGHT = 250
ROW_HEIGHT = 26
CATEGORY_LEFT = 150
# At most this many day labels under a chart; the others are left out (their bars keep a title).
MAX_X_LABELS = 10
# Values are written above the bars while the longest fits its bar's slot (pixels per
# character of the value labels' font).
LABEL_CHARACTER_WIDTH = 5.8
# A stacked segment shows its number inside when it is at least this wide.
MIN_LABELLED_SEGMENT = 22


@dataclass(frozen=True)
class Tick:
    x: float
    y: float
    label: str


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    title: str  # the bar's label and exact value, for a screen reader or a hover
    value_label: str = ""
    label_x: float = 0
    label_y: float = 0
    css: str = ""  # a fill class (segments of a stacked bar)
    dark: bool = False  # a dark fill: its number is written in white
    marked: bool = False  # drawn with a heavy outline (a bottleneck)


@dataclass(frozen=True)
class Row:
    """One category of a bar chart: its name on the left and its bar (or segments)."""

    label: str
    label_y: float
    bars: list[Bar]
    total_label: str = ""
    total_x: float = 0


@dataclass(frozen=True)
class LegendKey:
    x: float
    css: str
    label: str

    @property
    def label_x(self) -> float:
        return self.x + 17


@dataclass
class Chart:
    key: str  # unique on the page: ids of the title, description and patterns
    title: str
    description: str
    empty_text: str
    height: float
    x_label: str = ""
    y_label: str = ""
    bars: list[Bar] = field(default_factory=list)
    rows: list[Row] = field(default_factory=list)
    x_ticks: list[Tick] = field(default_factory=list)
    y_ticks: list[Tick] = field(default_factory=list)
    legend: list[LegendKey] = field(default_factory=list)
    empty: bool = False
    width: int = WIDTH
    plot_left: float = LEFT
    plot_top: float = TOP
    plot_right: float = WIDTH - RIGHT
    plot_bottom: float = 0

    @property
    def bar_count(self) -> int:
        return len(self.bars) + sum(len(row.bars) for row in self.rows)

    @property
    def legend_y(self) -> float:
        return self.plot_top - 19

    @property
    def category_x(self) -> float:
        return self.plot_left - 8

    @property
    def x_label_y(self) -> float:
        return self.height - 6

    @property
    def x_label_x(self) -> float:
        return (self.plot_left + self.plot_right) / 2

    @property
    def y_label_y(self) -> float:
        return (self.plot_top + self.plot_bottom) / 2


def number(value) -> str:
    """A figure as printed on a chart: money (a Decimal) with its cents, other numbers whole
    when they are."""
    if isinstance(value, Decimal):
        return f"{value:,.2f}"
    if value == int(value):
        return f"{int(value):,}"
    return f"{value:,.2f}"


def counted(value, unit: str) -> str:
    """ "1 order", "3 orders", "40.00 EUR"."""
    if value == 1 and not isinstance(value, Decimal) and unit.endswith("s"):
        unit = unit[:-1]
    return f"{number(value)} {unit}"


def short_number(value) -> str:
    """A figure for a label above a bar, rounded (the bar's title has it exact): 1,250.40 →
    1.3k, 72.59 → 73."""
    value = Decimal(value)
    if abs(value) >= 10_000:
        return f"{value / 1000:.0f}k"
    if abs(value) >= 1000:
        return f"{value / 1000:.1f}k"
    if abs(value) < 1:
        return f"{value:.2f}" if value else "0"
    return number(int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP)))


def nice_scale(maximum: float, ticks: int = 4) -> list[float]:
    """Round tick values from 0 covering `maximum` (steps of 1, 2 or 5 × a power of ten; whole
    steps only, so counts get whole ticks)."""
    if maximum <= 0:
        return [0, 1]
    raw = maximum / ticks
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= raw)
    step = max(step, 1)
    top = math.ceil(maximum / step) * step
    return [step * index for index in range(round(top / step) + 1)]


def day_label(day: date) -> str:
    return f"{day:%b} {day.day}"


def column_chart(
    *,
    key: str,
    title: str,
    description: str,
    days: Sequence[date],
    values: Sequence,
    unit: str,
    y_label: str,
    empty_text: str,
) -> Chart:
    """One bar per day, in order, with a y axis of round ticks."""
    chart = Chart(
        key=key,
        title=title,
        description=description,
        empty_text=empty_text,
        height=COLUMN_HEIGHT,
        x_label="Day",
        y_label=y_label,
        plot_bottom=COLUMN_HEIGHT - BOTTOM,
    )
    numbers = [float(value) for value in values]
    if not days or not any(numbers):
        chart.empty = True
        return chart
    scale = nice_scale(max(numbers))
    plot_height = chart.plot_bottom - chart.plot_top
    slot = (chart.plot_right - chart.plot_left) / len(days)
    gap = min(slot * 0.2, 6)
    labels = [short_number(value) if value else "" for value in values]
    labelled = slot >= LABEL_CHARACTER_WIDTH * max(len(label) for label in labels)
    every = math.ceil(len(days) / MAX_X_LABELS)
    for index, (day, value, exact, label) in enumerate(
        zip(days, numbers, values, labels, strict=True)
    ):
        height = plot_height * value / scale[-1]
        x = chart.plot_left + index * slot + gap / 2
        y = chart.plot_bottom - height
        chart.bars.append(
            Bar(
                x=round(x, 2),
                y=round(y, 2),
                width=round(slot - gap, 2),
                height=round(height, 2),
                title=f"{day.isoformat()}: {counted(exact, unit)}",
                value_label=label if labelled else "",
                label_x=round(x + (slot - gap) / 2, 2),
                label_y=round(y - 4, 2),
            )
        )
        if index % every == 0:
            chart.x_ticks.append(
                Tick(
                    x=round(x + (slot - gap) / 2, 2), y=chart.plot_bottom + 16, label=day_label(day)
                )
            )
    chart.y_ticks = [
        Tick(
            x=chart.plot_left - 6,
            y=round(chart.plot_bottom - plot_height * tick / scale[-1], 2),
            label=number(tick),
        )
        for tick in scale
    ]
    return chart


def bar_chart(
    *,
    key: str,
    title: str,
    description: str,
    items: Sequence[tuple[str, int | Decimal]],
    unit: str,
    x_label: str,
    empty_text: str,
) -> Chart:
    """One horizontal bar per category, its value written at the end of the bar."""
    height = TOP + ROW_HEIGHT * max(len(items), 1) + BOTTOM
    chart = Chart(
        key=key,
        title=title,
        description=description,
        empty_text=empty_text,
        height=height,
        x_label=x_label,
        plot_left=CATEGORY_LEFT,
        plot_right=WIDTH - 56,
        plot_bottom=height - BOTTOM,
    )
    if not items or not any(value for _, value in items):
        chart.empty = True
        return chart
    scale = nice_scale(max(float(value) for _, value in items))
    plot_width = chart.plot_right - chart.plot_left
    for index, (label, value) in enumerate(items):
        top = chart.plot_top + index * ROW_HEIGHT
        width = plot_width * float(value) / scale[-1]
        bar = Bar(
            x=chart.plot_left,
            y=top + 4,
            width=round(width, 2),
            height=ROW_HEIGHT - 8,
            title=f"{label}: {counted(value, unit)}",
        )
        chart.rows.append(
            Row(
                label=label,
                label_y=top + ROW_HEIGHT / 2 + 4,
                bars=[bar],
                total_label=number(value),
                total_x=round(chart.plot_left + width + 6, 2),
            )
        )
    chart.x_ticks = _x_ticks(chart, scale)
    return chart


def stacked_bar_chart(
    *,
    key: str,
    title: str,
    description: str,
    categories: Sequence[tuple[str, Sequence[int], Sequence[bool]]],
    series: Sequence[str],
    unit: str,
    x_label: str,
    empty_text: str,
) -> Chart:
    """One horizontal bar per category split into `series` segments (told apart by fill and
    pattern, named in a legend); a segment may be marked (a heavy outline)."""
    legend_height = 22
    height = TOP + legend_height + ROW_HEIGHT * max(len(categories), 1) + BOTTOM
    chart = Chart(
        key=key,
        title=title,
        description=description,
        empty_text=empty_text,
        height=height,
        x_label=x_label,
        plot_left=CATEGORY_LEFT,
        plot_top=TOP + legend_height,
        plot_right=WIDTH - 56,
        plot_bottom=height - BOTTOM,
    )
    totals = [sum(values) for _, values, _ in categories]
    if not categories or not any(totals):
        chart.empty = True
        return chart
    chart.legend = [
        LegendKey(x=CATEGORY_LEFT + index * 115, css=f"segment-{index}", label=name)
        for index, name in enumerate(series)
    ]
    scale = nice_scale(max(totals))
    plot_width = chart.plot_right - chart.plot_left
    for index, ((label, values, marks), total) in enumerate(zip(categories, totals, strict=True)):
        top = chart.plot_top + index * ROW_HEIGHT
        x = chart.plot_left
        bars = []
        for position, (name, value, marked) in enumerate(zip(series, values, marks, strict=True)):
            if not value:
                continue
            width = plot_width * value / scale[-1]
            bars.append(
                Bar(
                    x=round(x, 2),
                    y=top + 4,
                    width=round(width, 2),
                    height=ROW_HEIGHT - 8,
                    title=f"{label}, {name}: {counted(value, unit)}"
                    + (" (bottleneck)" if marked else ""),
                    value_label=str(value) if width >= MIN_LABELLED_SEGMENT else "",
                    label_x=round(x + width / 2, 2),
                    label_y=top + ROW_HEIGHT / 2 + 4,
                    css=f"segment-{position}",
                    dark=position == len(series) - 1,
                    marked=marked,
                )
            )
            x += width
        chart.rows.append(
            Row(
                label=label,
                label_y=top + ROW_HEIGHT / 2 + 4,
                bars=bars,
                total_label=str(total),
                total_x=round(x + 6, 2),
            )
        )
    chart.x_ticks = _x_ticks(chart, scale)
    return chart


def _x_ticks(chart: Chart, scale: list[float]) -> list[Tick]:
    plot_width = chart.plot_right - chart.plot_left
    return [
        Tick(
            x=round(chart.plot_left + plot_width * tick / scale[-1], 2),
            y=chart.plot_bottom + 16,
            label=number(tick),
        )
        for tick in scale
    ]
