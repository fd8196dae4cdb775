"""A real Celery worker, in its own process, runs a task against the test database.

Eager mode (the rest of the suite) never serialises a task, crosses a process or reads the
database from another connection; this test does all three through Redis.
"""

import pytest
from celery.result import EagerResult

import audit
from audit.models import AuditEntry
from audit.tasks import verify_audit_chain
from config.celery import app as celery_app
from tests.workers import BASE_DIR, QUEUE, stop, worker_env, worker_start, worker_wait

pytestmark = pytest.mark.celery_worker


def test_a_real_worker_verifies_the_audit_chain_written_by_the_test(
    transactional_db, redis_url, tmp_path
):
    env = worker_env(redis_url=redis_url, var_dir=tmp_path)
    for n in range(3):
        audit.record(None, "test.action", details={"n": n})
    entries = AuditEntry.objects.count()
    assert entries >= 3

    log_path = tmp_path / "worker.log"
    worker = worker_start(env=env, cwd=BASE_DIR, log_path=log_path)
    previous_eager = celery_app.conf.task_always_eager
    try:
        celery_app.conf.task_always_eager = False
        result = verify_audit_chain.apply_async(queue=QUEUE)
        assert not isinstance(result, EagerResult)
        outcome = worker_wait(result, worker, log_path)
    finally:
        celery_app.conf.task_always_eager = previous_eager
        stop(worker)

    assert outcome == {"checked": entries, "broken_entry_id": None}
