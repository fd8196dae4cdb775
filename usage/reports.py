"""The client usage report as rows for CSV and JSON, one shape for the page and the API."""

from usage.selectors import UsageReport

HEADER = ("group", "key", "events", "minutes", "active_days", "users")


def report_csv_rows(report: UsageReport) -> tuple[tuple[str, ...], list[tuple]]:
    rows = [
        (
            row.label,
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
                "label": row.label,
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
