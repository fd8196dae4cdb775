"""The client usage report as rows for CSV and JSON, one shape for the page and the API, and
as the table people read (the live report and a delivered one alike)."""

from collections.abc import Callable
from dataclasses import dataclass

from django.http import QueryDict

from common import present
from usage.charts import report_chart
from usage.selectors import ReportRow, UsageReport

HEADER = ("group", "key", "events", "minutes", "active_days", "users")


def report_csv_rows(report: UsageReport) -> tuple[tuple[str, ...], list[tuple]]:
    rows = [
        (
            row.full_label,
            row.key,
            row.events,
            round(row.duration_ms / 60000, 1),
            row.active_days,
            row.users,
        )
        for row in report.rows
    ]
    return HEADER, rows


def report_json(report: UsageReport) -> dict:
    return {
        "organisation": report.organisation.slug,
        "start": report.start.isoformat(),
        "end": report.end.isoformat(),
        "group_by": report.group_by,
        "totals": {
            "events": report.total_events,
            "minutes": round(report.total_duration_ms / 60000, 1),
        },
        "rows": [
            {
                "label": row.full_label,
                "key": row.key,
                "events": row.events,
                "minutes": round(row.duration_ms / 60000, 1),
                "active_days": row.active_days,
                "users": row.users,
            }
            for row in report.rows
        ],
        "daily": [{"date": day.isoformat(), "events": value} for day, value in report.series],
    }


def duration_text(duration_ms: int) -> str:
    """A duration in words, to the minute: "42 min", "1 h 05 min", "1,204 h 00 min"."""
    minutes = round(duration_ms / 60_000)
    if minutes == 0 and duration_ms > 0:
        return "under 1 min"
    if minutes < 60:
        return f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    return f"{hours:,} h {minutes:02d} min"


def _count(value: int) -> str:
    return f"{value:,}"


@dataclass(frozen=True)
class Column:
    key: str  # what ``?sort=`` names
    header: str
    numeric: bool
    text: Callable[[ReportRow], str]
    order: Callable[[ReportRow], object]
    total: Callable[[UsageReport], str] | None = None


_EVENTS = Column(
    "events",
    "Events",
    True,
    lambda r: _count(r.events),
    lambda r: r.events,
    lambda report: _count(report.total_events),
)
_TIME = Column(
    "time",
    "Server time",
    True,
    lambda r: duration_text(r.duration_ms),
    lambda r: r.duration_ms,
    lambda report: duration_text(report.total_duration_ms),
)


def _label_column(key: str, header: str, order=None) -> Column:
    return Column(key, header, False, lambda r: r.label, order or (lambda r: r.label.casefold()))


COLUMNS = {
    "user": (
        _label_column("name", "Name"),
        Column("email", "E-mail", False, lambda r: r.email, lambda r: r.email.casefold()),
        _EVENTS,
        _TIME,
        Column(
            "days", "Active days", True, lambda r: _count(r.active_days), lambda r: r.active_days
        ),
    ),
    "day": (
        _label_column("day", "Day", order=lambda r: r.key),  # the ISO date sorts as the calendar
        _EVENTS,
        _TIME,
        Column("people", "People", True, lambda r: _count(r.users), lambda r: r.users),
    ),
    **{
        grouping: (
            _label_column(grouping, grouping.capitalize()),
            _EVENTS,
            _TIME,
            Column(
                "days", "Days used", True, lambda r: _count(r.active_days), lambda r: r.active_days
            ),
            Column("user_days", "User-days", True, lambda r: _count(r.users), lambda r: r.users),
        )
        for grouping in ("feature", "purpose")
    },
}
DEFAULT_SORT = "-events"


@dataclass(frozen=True)
class Header:
    column: Column
    link_sort: str  # the ``sort`` its link asks for: this column, or the other way round
    aria_sort: str  # "ascending", "descending", or "" when the rows are not sorted by it


@dataclass(frozen=True)
class Cell:
    text: str
    numeric: bool


@dataclass(frozen=True)
class Table:
    headers: list[Header]
    rows: list[list[Cell]]
    totals: list[Cell]
    sort: str


def _is_blank(text: str) -> bool:
    return text in ("", present.EMPTY)


def report_table(report: UsageReport, sort: str | None = None) -> Table:
    """The report's rows as the page shows them: numbers and times in words, sorted by the
    column ``sort`` names ("-" first for descending; anything else is the default, most active
    first), without a column that would be empty in every row."""
    columns = COLUMNS[report.group_by]
    by_key = {column.key: column for column in columns}
    if not sort or sort.removeprefix("-") not in by_key:
        sort = DEFAULT_SORT
    descending, column = sort.startswith("-"), by_key[sort.removeprefix("-")]
    # Ties fall back to the most active first, then the label, so the order never wobbles.
    rows = sorted(report.rows, key=lambda r: (-r.events, r.label.casefold(), r.key))
    rows.sort(key=column.order, reverse=descending)
    cells = [[c.text(row) or present.EMPTY for c in columns] for row in rows]
    shown = [
        n
        for n, c in enumerate(columns)
        if n == 0 or not cells or not all(_is_blank(line[n]) for line in cells)
    ]
    headers = []
    for n in shown:
        c = columns[n]
        if c is column:
            headers.append(
                Header(
                    c,
                    c.key if descending else f"-{c.key}",
                    "descending" if descending else "ascending",
                )
            )
        else:
            headers.append(Header(c, f"-{c.key}" if c.numeric else c.key, ""))
    totals = [Cell("Total", False)] + [
        Cell(columns[n].total(report) if columns[n].total else "", columns[n].numeric)
        for n in shown[1:]
    ]
    return Table(
        headers=headers,
        rows=[[Cell(line[n], columns[n].numeric) for n in shown] for line in cells],
        totals=totals,
        sort=sort,
    )


def report_page_context(report: UsageReport, query: QueryDict) -> dict:
    """What the live report's page and a delivered report's page show, one way: the chart,
    the table sorted as ``query`` asks, and the query its headers' links keep (less the sort)."""
    kept = query.copy()
    kept.pop("sort", None)
    return {
        "report": report,
        "chart": report_chart(report),
        "table": report_table(report, query.get("sort")),
        "sort_query": kept.urlencode(),
    }
