"""Consent rates per week as SVG polylines: plain geometry, no script."""

from dataclasses import dataclass

WIDTH, HEIGHT, LEFT, BOTTOM, TOP, RIGHT = 720, 220, 48, 24, 12, 12


@dataclass(frozen=True)
class Line:
    varname: str
    name: str
    points: str
    dots: list[tuple[float, float, str]]  # x, y, tooltip


@dataclass(frozen=True)
class RateChart:
    width: int
    height: int
    lines: list[Line]
    ticks: list[tuple[float, int]]
    first_label: str
    last_label: str
    plot_left: int = LEFT


def rate_chart(rows, groups) -> RateChart:
    plot_width, plot_height = WIDTH - LEFT - RIGHT, HEIGHT - BOTTOM - TOP
    step = plot_width / max(len(rows) - 1, 1)
    lines = []
    for group in groups:
        coords = []
        for n, row in enumerate(rows):
            percent = row.cells[group.varname].percent
            if percent is None:
                continue
            x = round(LEFT + n * step, 1)
            y = round(TOP + plot_height * (1 - percent / 100), 1)
            coords.append((x, y, f"{group.name}, week of {row.week:%d %b %Y}: {percent}%"))
        lines.append(
            Line(
                varname=group.varname,
                name=group.name,
                points=" ".join(f"{x},{y}" for x, y, _ in coords),
                dots=coords,
            )
        )
    ticks = [(round(TOP + plot_height * (1 - f / 100), 1), f) for f in (0, 50, 100)]
    return RateChart(
        width=WIDTH,
        height=HEIGHT,
        lines=lines,
        ticks=ticks,
        first_label=f"{rows[0].week:%d %b}" if rows else "",
        last_label=f"{rows[-1].week:%d %b}" if rows else "",
    )
