"""The drills, run while locust's load goes through HAProxy: a web node killed, a worker killed
mid-task, the replica stopped (and lagging), the primary restarted. Each returns a Verdict."""

import json
import time
import urllib.error
import urllib.request

import psycopg
from django.conf import settings
from django.db import connection, connections

from cluster import processes, stats
from cluster.postgres import wait_until_ready
from cluster.topology import (
    APP_ROLE,
    HAPROXY_PORT,
    HOST,
    PATHS,
    PRIMARY_PORT,
    REPLICA_PORT,
    superuser_dsn,
)
from cluster.verdicts import Verdict, say, wait_for

WINDOW = 60
HEAVY_ENDPOINTS = ("report page", "report API", "report CSV", "aggregates", "dashboard")
REPLICA_DOWN_SECONDS = 15
# How long heavy reads are counted while the replica lags, once none runs there any more.
LAG_WINDOW_SECONDS = 5
RECOVERY_LIMIT = 10.0
# A heavy read on the replica: a statement of the app's on the rollup tables.
RUNNING_HEAVY_SQL = """
SELECT EXISTS (
    SELECT 1 FROM pg_stat_activity
    WHERE usename = %s AND state = 'active' AND pid <> pg_backend_pid() AND query ~ %s
)
"""


def requests() -> list[stats.Request]:
    return stats.requests_read(PATHS.drill / "requests.csv")


def healthz_ok() -> bool:
    try:
        with urllib.request.urlopen(f"http://{HOST}:{HAPROXY_PORT}/healthz", timeout=2) as answer:
            return answer.status == 200
    except (urllib.error.URLError, OSError):
        return False


def web_node_killed() -> Verdict:
    verdict = Verdict("web node killed")
    say("Drill: web node web1 killed with SIGKILL; it stays down for a minute")
    start = time.time()
    processes.kill_hard("web1")  # the host is gone: nothing brings it back (autorestart off)
    drained = wait_for(lambda: processes.haproxy_servers().get("web1") != "UP", 10, every=0.2)
    verdict.check(bool(drained), f"HAProxy drained web1 within {time.time() - start:.1f}s")
    time.sleep(max(0.0, start + WINDOW - time.time()))
    window = stats.started_between(requests(), start, start + WINDOW)
    failed = sum(r.failed for r in window)
    share = failed / len(window) if window else 1.0
    verdict.check(
        bool(window) and share <= 0.01,
        f"{failed} of {len(window)} requests failed in the minute after ({share:.2%}, at most 1%)",
    )
    processes.start("web1")
    # Its new workers answer HAProxy's first checks late while they import the views: the
    # drill is HAProxy taking back a node that answers, not how long a cold one takes to.
    processes.web_nodes_warm()
    back = wait_for(lambda: processes.haproxy_servers().get("web1") == "UP", 30, every=0.5)
    verdict.check(bool(back), "web1 restarted and HAProxy sent it requests again")
    return verdict


def ingestion_exactly_once(verdict: Verdict, organisation_id: int, run_id: str) -> None:
    """Every batch answered 201 is stored once, whole; any other batch whole or not at all."""
    answers = [
        json.loads(line) for line in (PATHS.drill / "batches.jsonl").read_text().splitlines()
    ]
    acknowledged = {a["batch"].split("-")[1] for a in answers if a["status"] == 201}
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT split_part(event_id, '-', 2), count(*), count(DISTINCT event_id) "
            "FROM usage_usageevent WHERE organisation_id = %s AND event_id LIKE %s "
            "GROUP BY 1",
            [organisation_id, f"{run_id}-%"],
        )
        stored = {batch: (rows, distinct) for batch, rows, distinct in cursor.fetchall()}
    whole = all(stored.get(batch) == (1000, 1000) for batch in acknowledged)
    others = all(counts == (1000, 1000) for counts in stored.values())
    verdict.check(
        whole and others,
        f"{len(acknowledged)} acknowledged ingestion batches stored exactly once "
        f"({sum(r for r, _ in stored.values()):,} rows for {len(stored)} batches stored, "
        f"{len(answers) - len(acknowledged)} batches not acknowledged)",
    )


def _heavy_5xx(start: float, end: float) -> tuple[int, int]:
    window = [r for r in stats.started_between(requests(), start, end) if r.name in HEAVY_ENDPOINTS]
    return sum(r.status >= 500 for r in window), len(window)


def replica_stopped() -> Verdict:
    verdict = Verdict("replica stopped")
    say(f"Drill: the replica stopped for {REPLICA_DOWN_SECONDS}s, then started again")
    primary_before = stats.heavy_calls(PRIMARY_PORT) or 0
    start = time.time()
    processes.stop("pg-replica")
    time.sleep(REPLICA_DOWN_SECONDS)
    errors, total = _heavy_5xx(start, time.time())
    primary_during = (stats.heavy_calls(PRIMARY_PORT) or 0) - primary_before
    verdict.check(
        total > 0 and errors == 0,
        f"heavy reads answered while it was down: {total} requests, {errors} 5xx",
    )
    verdict.check(primary_during > 0, f"the primary served them ({primary_during} statements)")
    processes.start("pg-replica")
    wait_until_ready(REPLICA_PORT, seconds=300)
    before = stats.heavy_calls(REPLICA_PORT) or 0
    back = wait_for(lambda: (stats.heavy_calls(REPLICA_PORT) or 0) > before + 5, 30, every=1)
    verdict.check(bool(back), "when it returned, heavy reads went back to it")
    _replica_lagging(verdict)
    return verdict


def _heavy_reads_finished(conn: psycopg.Connection, seconds: float = 60) -> bool:
    """Whether a second passes, within ``seconds``, with no heavy read running on the replica:
    a report sent there just before the app saw the lag may take seconds, statement after
    statement."""
    tables = "|".join(stats.HEAVY_TABLES)
    deadline = time.monotonic() + seconds
    quiet_since = time.monotonic()
    while time.monotonic() < deadline:
        if conn.execute(RUNNING_HEAVY_SQL, [APP_ROLE, tables]).fetchone()[0]:
            quiet_since = time.monotonic()
        elif time.monotonic() - quiet_since >= 1:
            return True
        time.sleep(0.1)
    return False


def _replica_lagging(verdict: Verdict) -> None:
    """Replay paused: the replica falls behind the primary (ingestion keeps writing), and once
    it is more than REPLICA_MAX_LAG_SECONDS behind, heavy reads go to the primary."""
    say("  the replica's replay paused")
    with psycopg.connect(superuser_dsn(REPLICA_PORT), autocommit=True) as conn:
        conn.execute("SELECT pg_wal_replay_pause()")
        try:
            # Past the lag allowed, and the time each process keeps the lag it last read.
            time.sleep(settings.REPLICA_MAX_LAG_SECONDS + settings.REPLICA_CHECK_SECONDS + 1)
            quiet = _heavy_reads_finished(conn)
            on_replica = stats.heavy_calls(REPLICA_PORT) or 0
            on_primary = stats.heavy_calls(PRIMARY_PORT) or 0
            time.sleep(LAG_WINDOW_SECONDS)
            replica_late = (stats.heavy_calls(REPLICA_PORT) or 0) - on_replica
            primary_late = (stats.heavy_calls(PRIMARY_PORT) or 0) - on_primary
        finally:
            conn.execute("SELECT pg_wal_replay_resume()")
    verdict.check(
        bool(quiet) and replica_late == 0 and primary_late > 0,
        f"while it lagged, heavy reads went to the primary ({primary_late} statements there in "
        f"{LAG_WINDOW_SECONDS}s, {replica_late} on the replica)",
    )


def primary_restarted() -> Verdict:
    verdict = Verdict("primary restarted")
    say("Drill: PostgreSQL's primary restarted")
    start = time.time()
    processes.ctl("restart", "pg-primary")
    wait_for(healthz_ok, 120, every=0.2)
    answered = time.time()
    took = answered - start
    verdict.check(took <= RECOVERY_LIMIT, f"the app answered again after {took:.1f}s (at most 10)")
    time.sleep(30)
    after = stats.started_between(requests(), answered, time.time())
    errors = sum(r.status >= 500 for r in after)
    verdict.check(bool(after) and errors == 0, f"no 5xx after: {len(after)} requests, {errors}")
    connections.close_all()  # this process's own connections died with the primary
    return verdict
