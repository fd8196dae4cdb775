"""A usage report's chart as plain SVG geometry: no script, no external service.

It follows the report's grouping: by day, a column per day with the dates labelled at an
interval that stays readable (every day, every Monday, or the 1st and 15th of each month);
by user, feature or purpose, a bar per row, most active first. The value axis is labelled
("Events") with a few round ticks. The page's table is the chart's text alternative.
"""

import datetime
import math
from dataclasses import dataclass

from common import present

WIDTH = 720
TOP, RIGHT = 12, 16
MAX_BARS = 12  # by user, feature or purpose: the most active rows; the table has them all
LABEL_CHARACTERS = 28
BAR_ROW = 24


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    label: str  # the whole label, for the bar's tooltip
    value: int


@dataclass(frozen=True)
class Tick:
    x: float
    y: float
    text: str


@dataclass(frozen=True)
class Chart:
    horizontal: bool  # bars across (by user, feature, purpose) or columns up (by day)
    width: int
    height: int
    title: str
    description: str
    bars: list[Bar]
    value_ticks: list[Tick]  # gridlines and their values along the value axis
    category_ticks: list[Tick]  # the days (or rows) labelled along the other axis
    plot_left: int
    plot_top: int
    plot_right: int
    plot_bottom: int
    value_axis_label: str = "Events"


def value_ticks(peak: int, most: int = 5) -> list[int]:
    """Round values from 0 past ``peak``, at most ``most`` of them: 0, 2, 4 or 0, 500, 1,000."""
    if peak <= 0:
        return [0, 1]
    raw = peak / (most - 1)
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= raw)
    step = max(round(step), 1)
    return list(range(0, math.ceil(peak / step) * step + 1, step))


def labelled_days(days: list[datetime.date]) -> list[int]:
    """Which days of the range carry a label: few enough to be read, at a regular interval."""
    if len(days) <= 10:
        return list(range(len(days)))
    if len(days) <= 62:
        return [n for n, day in enumerate(days) if day.weekday() == 0]
    if len(days) <= 120:
        return [n for n, day in enumerate(days) if day.day in (1, 15)]
    return [n for n, day in enumerate(days) if day.day == 1]


def _short(label: str) -> str:
    if len(label) <= LABEL_CHARACTERS:
        return label
    return label[: LABEL_CHARACTERS - 1].rstrip() + "…"


def _period(report) -> str:
    return f"{present.day(report.start)} to {present.day(report.end)}"


def daily_chart(report) -> Chart:
    """Events per day over the report's period, one column a day."""
    series = report.series
    height, left, bottom = 240, 64, 40
    plot_width, plot_height = WIDTH - left - RIGHT, height - bottom - TOP
    values = value_ticks(max((value for _, value in series), default=0))
    scale = values[-1]
    step = plot_width / max(len(series), 1)
    bars = []
    for n, (day, value) in enumerate(series):
        bar_height = plot_height * value / scale
        bars.append(
            Bar(
                x=round(left + n * step + step * 0.1, 1),
                y=round(TOP + plot_height - bar_height, 1),
                width=round(max(step * 0.8, 1), 1),
                height=round(bar_height, 1),
                label=f"{day:%a} {present.day(day)}",
                value=value,
            )
        )
    days = [day for day, _ in series]
    busiest = max(series, key=lambda item: item[1], default=None)
    total = sum(value for _, value in series)
    description = f"{total:,} events in all"
    if busiest and busiest[1]:
        description += f"; the busiest day was {present.day(busiest[0])} with {busiest[1]:,}"
    return Chart(
        horizontal=False,
        width=WIDTH,
        height=height,
        title=f"Events per day, {_period(report)}",
        description=description + ". The table below has the figures.",
        bars=bars,
        value_ticks=[
            Tick(left, round(TOP + plot_height * (1 - value / scale), 1), f"{value:,}")
            for value in values
        ],
        category_ticks=[
            Tick(
                round(left + n * step + step / 2, 1),
                height - bottom + 16,
                f"{days[n].day} {days[n]:%b}",
            )
            for n in labelled_days(days)
        ],
        plot_left=left,
        plot_top=TOP,
        plot_right=WIDTH - RIGHT,
        plot_bottom=height - bottom,
    )


GROUP_TITLES = {
    "user": "Most active people",
    "feature": "Most used features",
    "purpose": "Most used purposes",
}


def rows_chart(report) -> Chart:
    """Events per person, feature or purpose: a bar a row, the most active first."""
    rows = sorted(report.rows, key=lambda r: (-r.events, r.label.casefold(), r.key))[:MAX_BARS]
    left, bottom = 208, 44
    height = TOP + max(len(rows), 1) * BAR_ROW + bottom
    plot_width = WIDTH - left - RIGHT
    values = value_ticks(max((row.events for row in rows), default=0))
    scale = values[-1]
    bars = [
        Bar(
            x=left,
            y=TOP + n * BAR_ROW + 4,
            width=round(plot_width * row.events / scale, 1),
            height=BAR_ROW - 8,
            label=row.label,
            value=row.events,
        )
        for n, row in enumerate(rows)
    ]
    shown = f"the {len(rows)} most active of {len(report.rows)}"
    if len(rows) == len(report.rows):
        shown = f"all {len(rows)}"
    return Chart(
        horizontal=True,
        width=WIDTH,
        height=height,
        title=f"{GROUP_TITLES[report.group_by]}, {_period(report)}",
        description=(
            f"Events by {report.group_by}: {shown}, {report.total_events:,} events in all. "
            "The table below has every figure."
        ),
        bars=bars,
        value_ticks=[
            Tick(round(left + plot_width * value / scale, 1), height - bottom + 16, f"{value:,}")
            for value in values
        ],
        category_ticks=[
            Tick(left - 8, round(TOP + n * BAR_ROW + BAR_ROW / 2, 1), _short(row.label))
            for n, row in enumerate(rows)
        ],
        plot_left=left,
        plot_top=TOP,
        plot_right=WIDTH - RIGHT,
        plot_bottom=height - bottom,
    )


def report_chart(report) -> Chart:
    """The chart of a report, following its grouping."""
    return daily_chart(report) if report.group_by == "day" else rows_chart(report)
