"""The drills' run: data, load, the four drills in turn, then the figures and the verdicts.

Django is set up (as the app role, on the cluster) before this module is imported.
"""

import signal
import subprocess
import time
from typing import NamedTuple

import psycopg

from cluster import drills, fixtures, stats, worker_drill
from cluster.topology import PATHS, PRIMARY_PORT, REPLICA_PORT, superuser_dsn
from cluster.verdicts import Verdict, fail, say, wait_for

REPLICA_SHARE_GOAL = 0.90
DRILLS = (
    drills.web_node_killed,
    worker_drill.run,
    drills.replica_stopped,
    drills.primary_restarted,
)
WARM_UP_SECONDS = 30
# Between drills, and after the last: each drill's effects over before the next begins.
SETTLE_SECONDS = 30


def _analyse() -> None:
    with psycopg.connect(superuser_dsn(PRIMARY_PORT), autocommit=True) as conn:
        conn.execute("ANALYZE")  # what autovacuum would do on a live system


def _replica_caught_up() -> bool:
    with psycopg.connect(superuser_dsn(PRIMARY_PORT), autocommit=True) as conn:
        target = conn.execute("SELECT pg_current_wal_lsn()").fetchone()[0]
    with psycopg.connect(superuser_dsn(REPLICA_PORT), autocommit=True) as conn:
        return conn.execute("SELECT pg_last_wal_replay_lsn() >= %s", [target]).fetchone()[0]


def _data(scale: int) -> dict:
    if fixtures.events_generate(scale):
        fixtures.rollups_build()
        _analyse()
        fixtures.data_generated(scale)
    say("  waiting for the replica to replay the primary's writes")
    if not wait_for(_replica_caught_up, 900, every=2):
        say("  the replica has not caught up after 15 minutes")
    # A checkpoint on each (a restartpoint on the replica): a restart replays little WAL.
    for port in (PRIMARY_PORT, REPLICA_PORT):
        with psycopg.connect(superuser_dsn(port), autocommit=True) as conn:
            conn.execute("CHECKPOINT")
    return fixtures.people_write()


def _table(rows: list[stats.EndpointFigures]) -> list[str]:
    lines = [f"{'endpoint':<18} {'requests':>9} {'failures':>9} {'p50 ms':>8} {'p95 ms':>8}"]
    for row in rows:
        lines.append(
            f"{row.name:<18} {row.requests:>9,} {row.failures:>9,} "
            f"{row.p50_ms:>8.0f} {row.p95_ms:>8.0f}"
        )
    total = sum(r.requests for r in rows)
    failed = sum(r.failures for r in rows)
    return [*lines, f"{'all':<18} {total:>9,} {failed:>9,}"]


def _stop(locust: subprocess.Popen) -> None:
    if locust.poll() is None:
        locust.send_signal(signal.SIGTERM)
        try:
            locust.wait(timeout=60)
        except subprocess.TimeoutExpired:
            locust.kill()


def _heavy_calls() -> tuple[int, int]:
    return stats.heavy_calls(REPLICA_PORT) or 0, stats.heavy_calls(PRIMARY_PORT) or 0


def _measured(drill) -> Verdict:
    """Run a drill, and say where its heavy reads went."""
    replica_before, primary_before = _heavy_calls()
    verdict = drill()
    replica_after, primary_after = _heavy_calls()
    verdict.heavy_reads = (replica_after - replica_before, primary_after - primary_before)
    verdict.checks.append(
        (
            True,
            f"heavy reads meanwhile: {verdict.heavy_reads[0]:,} statements on the "
            f"replica, {verdict.heavy_reads[1]:,} on the primary",
        )
    )
    say(f"  {verdict.checks[-1][1]}")
    return verdict


class ReplicaShare(NamedTuple):
    met: bool
    summary: str  # for the run's last line
    lines: list[str]


def replica_share(counted: tuple[int | None, int | None], replica_drill: Verdict) -> ReplicaShare:
    """The replica-share goal, with the whole run's share beside it.

    ``counted``: heavy reads over the whole run, on the replica and on the primary (None: that
    server's statistics could not be read). The goal counts the run outside the replica drill:
    that drill stops and pauses the replica, and the issue asks that its heavy reads then go
    to the primary, so the whole run's share depends on how long the drill keeps the replica
    away, not on where the router sends reads.
    """
    if None in counted:
        server = "replica" if counted[0] is None else "primary"
        line = f"FAIL  heavy reads on the replica: no pg_stat_statements on the {server}"
        return ReplicaShare(False, "replica share unknown", [line])
    on_replica, on_primary = counted
    drill_replica, drill_primary = replica_drill.heavy_reads
    outside = (on_replica - drill_replica, on_primary - drill_primary)
    share = outside[0] / sum(outside) if sum(outside) else 0.0
    whole = on_replica / (on_replica + on_primary) if on_replica + on_primary else 0.0
    met = share >= REPLICA_SHARE_GOAL
    return ReplicaShare(
        met,
        f"replica share {share:.1%} (whole run {whole:.1%})",
        [
            f"{'PASS' if met else 'FAIL'}  heavy reads on the replica while it was up: "
            f"{share:.1%} ({outside[0]:,} statements there, {outside[1]:,} on the primary, "
            f"outside the replica drill; goal {REPLICA_SHARE_GOAL:.0%})",
            f"      over the whole run: {whole:.1%} ({on_replica:,} on the replica, "
            f"{on_primary:,} on the primary; the replica drill sent {drill_primary:,} to the "
            "primary)",
        ],
    )


def run_drills(*, scale: int, users: int, run_id: str, locust) -> tuple[bool, list[str]]:
    """Whether every goal was met, and the report's lines (the last one sums it up)."""
    say(f"Drills' data: {scale:,} usage events")
    people = _data(scale)
    stats.statements_reset()
    say(f"Load: {users} locust users through HAProxy (run {run_id})")
    load = locust(users, run_id)
    verdicts: list[Verdict] = []
    try:
        time.sleep(WARM_UP_SECONDS)
        if load.poll() is not None:  # the drills would measure nothing
            fail(f"locust stopped before the drills began: see {PATHS.logs / 'locust.log'}")
        for drill in DRILLS:
            verdicts.append(_measured(drill))
            time.sleep(SETTLE_SECONDS)  # the cluster back to its steady state before the next
    finally:
        _stop(load)
    drills.ingestion_exactly_once(verdicts[0], people["organisation_id"], run_id)

    # A server that does not answer counts nothing: no share, rather than a false 100%.
    counted = stats.heavy_calls(REPLICA_PORT), stats.heavy_calls(PRIMARY_PORT)
    rows = stats.per_endpoint(drills.requests())
    lines = ["", *_table(rows), ""]
    for verdict in verdicts:
        lines.append(f"{'PASS' if verdict.passed else 'FAIL'}  {verdict.drill}")
        lines += [f"      {'ok  ' if ok else 'FAIL'} {text}" for ok, text in verdict.checks]
    share = replica_share(counted, verdicts[DRILLS.index(drills.replica_stopped)])
    lines += share.lines
    passed = sum(v.passed for v in verdicts)
    total = sum(r.requests for r in rows)
    failed = sum(r.failures for r in rows)
    lines.append(
        f"cluster-test: {passed}/{len(verdicts)} drills passed, {share.summary}, "
        f"{total:,} requests, {failed / total if total else 0:.2%} failed"
    )
    return passed == len(verdicts) and share.met, lines
