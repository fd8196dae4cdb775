"""A bar chart of daily usage as plain SVG geometry: no script, no external service."""

from dataclasses import dataclass

WIDTH, HEIGHT, LEFT, BOTTOM, TOP = 720, 220, 48, 24, 12


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    label: str
    value: int


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    bars: list[Bar]
    ticks: list[tuple[float, int]]  # (y, value) for the gridlines
    first_label: str
    last_label: str
    plot_left: int = LEFT
    plot_bottom: float = HEIGHT - BOTTOM


def daily_chart(series) -> Chart:
    peak = max((value for _, value in series), default=0) or 1
    plot_width, plot_height = WIDTH - LEFT - 8, HEIGHT - BOTTOM - TOP
    step = plot_width / max(len(series), 1)
    bars = []
    for n, (day, value) in enumerate(series):
        height = plot_height * value / peak
        bars.append(
            Bar(
                x=round(LEFT + n * step + step * 0.1, 1),
                y=round(TOP + plot_height - height, 1),
                width=round(max(step * 0.8, 1), 1),
                height=round(height, 1),
                label=day.strftime("%a %d %b %Y"),
                value=value,
            )
        )
    ticks = [(round(TOP + plot_height * (1 - f), 1), round(peak * f)) for f in (0, 0.5, 1)]
    return Chart(
        width=WIDTH,
        height=HEIGHT,
        bars=bars,
        ticks=ticks,
        first_label=series[0][0].strftime("%d %b") if series else "",
        last_label=series[-1][0].strftime("%d %b") if series else "",
    )
