"""What the drills measure: heavy reads per cluster from PostgreSQL's own statistics, and the
load's requests from locust's log.

Heavy reads are counted with pg_stat_statements on each cluster (the standby keeps its own
statistics of the statements it runs). A heavy read is a SELECT on the tables the client
reports, the staff aggregates and the usage exports read: the daily rollups and the task
sessions, over a period (``date >= $n``). The rollup job's own reads of those tables, one day
at a time (``date = $n``) on the primary, are not reads anyone asked for and are left out.
pg_stat_user_tables would count the same tables' scans, but could not tell the reports'
scans from the rollup job's, nor a SELECT from the index scans of a DELETE.
"""

import csv
import statistics
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import psycopg

from cluster.topology import PRIMARY_PORT, REPLICA_PORT, superuser_dsn

HEAVY_TABLES = ("usage_dailyuserusage", "usage_dailyfeatureusage", "usage_dailyusage")
HEAVY_SQL = """
SELECT coalesce(sum(s.calls), 0)
FROM pg_stat_statements s JOIN pg_database d ON d.oid = s.dbid
WHERE d.datname = current_database()
  AND s.query ILIKE 'select%%'
  AND s.query ~ %(tables)s
  AND s.query ~ '"date" >= \\$'
"""


def _connect(port: int):
    return psycopg.connect(superuser_dsn(port), autocommit=True, connect_timeout=3)


def statements_reset() -> None:
    for port in (PRIMARY_PORT, REPLICA_PORT):
        with _connect(port) as conn:
            conn.execute("SELECT pg_stat_statements_reset()")


def heavy_calls(port: int) -> int | None:
    """Heavy reads run on the cluster at ``port`` since the last reset; None if it is down."""
    try:
        with _connect(port) as conn:
            return int(conn.execute(HEAVY_SQL, {"tables": "|".join(HEAVY_TABLES)}).fetchone()[0])
    except psycopg.OperationalError:
        return None


@dataclass(frozen=True)
class Request:
    started: float
    ended: float
    name: str
    status: int
    failed: bool


def requests_read(path: Path) -> list[Request]:
    with path.open(newline="") as handle:
        return [
            Request(
                float(row["started"]),
                float(row["ended"]),
                row["name"],
                int(row["status"]),
                row["failed"] == "1",
            )
            for row in csv.DictReader(handle)
        ]


def started_between(requests: list[Request], start: float, end: float) -> list[Request]:
    return [r for r in requests if start <= r.started < end]


def percentile(values: list[float], fraction: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


@dataclass(frozen=True)
class EndpointFigures:
    name: str
    requests: int
    failures: int
    p50_ms: float
    p95_ms: float


def per_endpoint(requests: list[Request]) -> list[EndpointFigures]:
    grouped: dict[str, list[Request]] = defaultdict(list)
    for request in requests:
        grouped[request.name].append(request)
    rows = []
    for name, group in sorted(grouped.items()):
        times = [(r.ended - r.started) * 1000 for r in group if not r.failed]
        rows.append(
            EndpointFigures(
                name=name,
                requests=len(group),
                failures=sum(r.failed for r in group),
                p50_ms=statistics.median(times) if times else 0.0,
                p95_ms=percentile(times, 0.95),
            )
        )
    return rows
