"""A real Celery worker killed (SIGKILL) in the middle of a purge: nothing is lost, nothing
is counted twice, and the next run finishes the work.

GIVEN expired usage events, purged in small batches with a pause between them,
WHEN the worker is killed after some batches, restarted, and the purge runs again,
THEN every expired event is gone, held and fresh events stay, the killed run shows exactly
the rows it deleted (marked interrupted), and the two runs' counts add up to the total.
"""

import datetime
import os
import time

import pytest
from django.utils import timezone

from config.celery import app as celery_app
from retention.models import PurgeRun, RetentionPolicy
from retention.services import schedule
from retention.tasks import purge_retention_category
from tests.factories import DpoFactory, UserFactory
from tests.workers import BASE_DIR, QUEUE, stop, worker_env, worker_start
from usage.models import UsageEvent

pytestmark = [
    pytest.mark.celery_worker,
    pytest.mark.django_db(transaction=True),
]

EXPIRED = 3000
BATCH = 50


def wait_for(condition, worker, log_path, seconds=90):
    deadline = time.monotonic() + seconds
    while not condition():
        if worker.poll() is not None:
            pytest.fail(f"The worker exited with {worker.returncode}:\n{log_path.read_text()}")
        if time.monotonic() > deadline:
            pytest.fail(f"Timed out waiting for the worker:\n{log_path.read_text()}")
        time.sleep(0.05)


def test_a_worker_killed_mid_purge_loses_nothing_and_double_counts_nothing(redis_url, tmp_path):
    RetentionPolicy.objects.filter(category="usage_events").update(days=1, lease_until=None)
    user, held = UserFactory(), UserFactory()
    schedule.legal_hold_place(user=held, reason="Claim", by=DpoFactory())
    when = timezone.now() - datetime.timedelta(days=1, hours=1)
    fresh = timezone.now() - datetime.timedelta(hours=1)
    UsageEvent.objects.bulk_create(
        [
            UsageEvent(occurred_at=when, organisation=user.organisation, user=user, action="v")
            for _ in range(EXPIRED)
        ]
        + [
            UsageEvent(occurred_at=when, organisation=held.organisation, user=held, action="v"),
            UsageEvent(occurred_at=fresh, organisation=user.organisation, user=user, action="v"),
        ]
    )

    def expired_left() -> int:
        return UsageEvent.objects.filter(user=user, occurred_at=when).count()

    def running_run():
        return PurgeRun.objects.filter(category="usage_events", status="running").first()

    def later_runs():
        return PurgeRun.objects.filter(
            category="usage_events", dry_run=False, started_at__gt=killed.started_at
        )

    env = worker_env(
        redis_url=redis_url,
        var_dir=tmp_path,
        RETENTION_BATCH_SIZE=str(BATCH),
        RETENTION_BATCH_PAUSE_SECONDS="0.02",
        RETENTION_LEASE_SECONDS="2",
    )
    log_path = tmp_path / "worker.log"
    previous_eager = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = False
    worker = worker_start(env=env, cwd=BASE_DIR, log_path=log_path)
    try:
        purge_retention_category.apply_async(args=["usage_events"], queue=QUEUE)

        def some_batches_done():
            run = running_run()
            return (
                run is not None
                and run.counts.get("usage.events", {}).get("deleted", 0) >= 5 * BATCH
            )

        wait_for(some_batches_done, worker, log_path)
        os.killpg(worker.pid, 9)
        worker.wait(timeout=10)

        killed = running_run()
        done_before_kill = killed.counts["usage.events"]["deleted"]
        assert done_before_kill < EXPIRED, "the purge finished before the kill: slow it down"
        # Honest: the run's count is exactly what left the table, no batch half-counted.
        assert expired_left() == EXPIRED - done_before_kill

        time.sleep(2.5)  # the dead worker's claim on the category lapses
        worker = worker_start(env=env, cwd=BASE_DIR, log_path=log_path)
        purge_retention_category.apply_async(args=["usage_events"], queue=QUEUE)
        # The broker may also hand the killed run's unacknowledged message to the new worker:
        # whichever run takes the claim finishes the work, and any other is skipped.
        wait_for(
            lambda: expired_left() == 0 and running_run() is None and later_runs().exists(),
            worker,
            log_path,
        )
    finally:
        celery_app.conf.task_always_eager = previous_eager
        stop(worker)

    killed.refresh_from_db()
    assert expired_left() == 0
    assert UsageEvent.objects.filter(user=held).count() == 1
    assert UsageEvent.objects.filter(occurred_at=fresh).count() == 1
    assert killed.status == PurgeRun.Status.INTERRUPTED
    assert killed.counts == {"usage.events": {"deleted": done_before_kill}}
    runs = list(later_runs())
    assert {run.status for run in runs} <= {PurgeRun.Status.SUCCEEDED, PurgeRun.Status.SKIPPED}
    # Every row counted once, across the runs that came after the kill.
    assert sum(run.counts.get("usage.events", {}).get("deleted", 0) for run in runs) == (
        EXPIRED - done_before_kill
    )
