"""The drills' run: data, load, the four drills in turn, then the figures and the verdicts.

Django is set up (as the app role, on the cluster) before this module is imported.
"""

import signal
import subprocess
import time

import psycopg

from cluster import drills, fixtures, stats, worker_drill
from cluster.topology import PATHS, PRIMARY_PORT, REPLICA_PORT, superuser_dsn
from cluster.verdicts import Verdict, fail, say, wait_for

REPLICA_SHARE_GOAL = 0.90
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
    verdict.checks.append(
        (
            True,
            f"heavy reads meanwhile: {replica_after - replica_before:,} statements on the "
            f"replica, {primary_after - primary_before:,} on the primary",
        )
    )
    say(f"  {verdict.checks[-1][1]}")
    return verdict


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
        for drill in (
            drills.web_node_killed,
            worker_drill.run,
            drills.replica_stopped,
            drills.primary_restarted,
        ):
            verdicts.append(_measured(drill))
            time.sleep(SETTLE_SECONDS)  # the cluster back to its steady state before the next
    finally:
        _stop(load)
    drills.ingestion_exactly_once(verdicts[0], people["organisation_id"], run_id)

    # A server that does not answer counts nothing: no share, rather than a false 100%.
    counted = stats.heavy_calls(REPLICA_PORT), stats.heavy_calls(PRIMARY_PORT)
    on_replica, on_primary = (count or 0 for count in counted)
    share = on_replica / (on_replica + on_primary) if None not in counted and any(counted) else 0.0
    rows = stats.per_endpoint(drills.requests())
    lines = ["", *_table(rows), ""]
    for verdict in verdicts:
        lines.append(f"{'PASS' if verdict.passed else 'FAIL'}  {verdict.drill}")
        lines += [f"      {'ok  ' if ok else 'FAIL'} {text}" for ok, text in verdict.checks]
    share_ok = share >= REPLICA_SHARE_GOAL
    lines.append(
        f"{'PASS' if share_ok else 'FAIL'}  heavy reads on the replica: {share:.1%} "
        f"({on_replica:,} statements there, {on_primary:,} on the primary; goal 90%)"
        if None not in counted
        else "FAIL  heavy reads on the replica: pg_stat_statements could not be read on "
        f"the {'replica' if counted[0] is None else 'primary'}"
    )
    passed = sum(v.passed for v in verdicts)
    total = sum(r.requests for r in rows)
    failed = sum(r.failures for r in rows)
    lines.append(
        f"cluster-test: {passed}/{len(verdicts)} drills passed, replica share {share:.0%}, "
        f"{total:,} requests, {failed / total if total else 0:.2%} failed"
    )
    return passed == len(verdicts) and share_ok, lines
