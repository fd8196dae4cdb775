"""The backup's summary (tables and rows, counted before pg_dump starts) on a database holding
a million usage events: COUNT(*) of every table, as it was, against the planner's estimates
from pg_class.reltuples, as `manage.py backup` does now (backups.services._counts).

The events are written by the server itself (INSERT … SELECT generate_series), then analysed
and checkpointed, as a table autovacuum keeps would be. Each way is timed once (its first run)
and then as the median of five more.

Run with `python -m bench backup_summary [--scale N]` (database privacydesk_bench_backup_summary).
Goal: the summary in under a tenth of the time of counting, and under 50 ms whatever the size.
"""

import datetime
import time

from django.db import connection

from bench.common import median, progress, table, verdict
from bench.generate import bench_organisations

DEFAULT_SCALE = 1_000_000
START = datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)


def _generate(total: int) -> None:
    from usage.partitions import partitions_ensure

    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM usage_usageevent")
        have = cursor.fetchone()[0]
    if have >= total:
        progress(f"reusing {have:,} events")
        return
    progress(f"generating {total - have:,} events")
    organisation, users = bench_organisations(1, 50)[0]
    partitions_ensure(start=START.date(), months=2)
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO usage_usageevent (occurred_at, organisation_id, user_id, session_hash, "
            "ip_address, user_agent_family, action, feature, path, status_code, duration_ms, "
            "purpose, event_id) "
            "SELECT %s::timestamptz + (g %% 2419200) * interval '1 second', %s, "
            "(%s::int[])[1 + g %% %s], '', '10.0.0.1', 'Chrome', 'page_view', 'reports', "
            "'/app/', 200, 100, 'analysis', '' FROM generate_series(1, %s) AS g",
            [START, organisation.pk, users, len(users), total - have],
        )
        cursor.execute("ANALYZE")
        cursor.execute("CHECKPOINT")


def _count_every_table() -> tuple[int, int]:
    """The summary as it was before the estimates: COUNT(*) of each table."""
    quote = connection.ops.quote_name
    rows = 0
    with connection.cursor() as cursor:
        tables = connection.introspection.table_names(cursor)
        for name in tables:
            cursor.execute(f"SELECT COUNT(*) FROM {quote(name)}")  # noqa: S608 (introspected)
            rows += cursor.fetchone()[0]
    return len(tables), rows


def _timings(function) -> tuple[float, float, object]:
    started = time.perf_counter()
    result = function()
    first = time.perf_counter() - started
    warm = []
    for _ in range(5):
        started = time.perf_counter()
        function()
        warm.append(time.perf_counter() - started)
    return first, median(warm), result


def run(scale: int | None = None) -> None:
    from backups.services import _counts

    total = scale or DEFAULT_SCALE
    _generate(total)
    count_first, count_warm, (tables, exact) = _timings(_count_every_table)
    estimate_first, estimate_warm, counts = _timings(_counts)
    table(
        f"Backup summary over {tables} tables, {exact:,} rows",
        ["way", "first run", "median of 5", "tables", "rows"],
        [
            ["COUNT(*) of every table (before)", f"{count_first * 1000:.0f} ms",
             f"{count_warm * 1000:.0f} ms", tables, f"{exact:,}"],
            ["pg_class.reltuples (now)", f"{estimate_first * 1000:.1f} ms",
             f"{estimate_warm * 1000:.1f} ms", counts.tables, f"about {counts.rows:,}"],
        ],
    )  # fmt: skip
    off_by = abs(counts.rows - exact) / exact if exact else 0.0
    print(f"estimate off by {off_by:.2%}; {count_warm / estimate_warm:.0f}x faster warm")
    ok = estimate_warm * 10 <= count_warm and estimate_warm < 0.05
    print(f"goal (a tenth of the time, under 50 ms): {verdict(ok)}")
