"""Start a real Celery worker in its own process, against the test database and Redis.

Eager mode (the rest of the suite) never serialises a task, crosses a process or reads the
database from another connection; the tests that start a worker do all three.
"""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

import pytest
from celery.result import AsyncResult
from django.conf import settings
from django.db import connection

from config.celery import app as celery_app
from tests.conftest import unavailable

BASE_DIR = Path(settings.BASE_DIR)
# A queue of its own, so that a developer's `make worker` on the same Redis never takes
# the test's task, and the test's worker never takes theirs.
QUEUE = "privacydesk-test-worker"
WORKER_START_SECONDS = 60
TASK_SECONDS = 60


def database_url_for_worker() -> str:
    """The URL of the test database this process is connected to."""
    db = connection.settings_dict
    if connection.vendor != "postgresql":
        # The SQLite test database lives in this process's memory: no other process can open it.
        unavailable("PostgreSQL (set DATABASE_URL): a worker process cannot share SQLite")
    credentials = quote(db["USER"] or "", safe="")
    if db["PASSWORD"]:
        credentials += ":" + quote(db["PASSWORD"], safe="")
    host = db["HOST"] or "localhost"
    port = f":{db['PORT']}" if db["PORT"] else ""
    at = "@" if credentials else ""
    return f"postgres://{credentials}{at}{host}{port}/{quote(db['NAME'], safe='')}"


def purge_queue(broker_url: str) -> None:
    with celery_app.connection_for_write(broker_url) as conn:
        conn.default_channel.queue_declare(queue=QUEUE, durable=True, auto_delete=False)
        conn.default_channel.queue_purge(QUEUE)


def stop(worker: subprocess.Popen) -> None:
    """Stop the worker and everything it started; never leave it behind."""
    if worker.poll() is not None:
        return
    for sig, grace in ((signal.SIGTERM, 15), (signal.SIGKILL, 10)):
        try:
            os.killpg(worker.pid, sig)
        except ProcessLookupError:
            return
        try:
            worker.wait(timeout=grace)
            return
        except subprocess.TimeoutExpired:
            continue


def worker_env(*, redis_url: str, var_dir: Path, **extra: str) -> dict[str, str]:
    """The environment of a worker on this test's database, broker and keys."""
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DATABASE_URL": database_url_for_worker(),
        # No pooled connection left open on the test database when the worker stops.
        "DATABASE_CONN_MAX_AGE": "0",
        "REDIS_URL": redis_url,
        "SECRET_KEY": settings.SECRET_KEY,
        # The chain's key: a worker with another one finds every entry forged.
        "AUDIT_HMAC_KEY": settings.AUDIT_HMAC_KEY,
        "ERASURE_LEDGER_KEY": settings.ERASURE_LEDGER_KEY,
        "PRIVACYDESK_VAR_DIR": str(var_dir),
        # The project on the path whatever the working directory.
        "PYTHONPATH": os.pathsep.join(filter(None, [str(BASE_DIR), os.environ.get("PYTHONPATH")])),
        "PYTHONUNBUFFERED": "1",
        **extra,
    }


def worker_start(*, env: dict[str, str], cwd: Path, log_path: Path) -> subprocess.Popen:
    """A solo worker on the test queue, in its own process group (so that stop() reaches
    its children). Its log is appended to: a worker started again after one was killed
    keeps the first one's log."""
    purge_queue(env["REDIS_URL"])
    command = [
        sys.executable, "-m", "celery", "-A", "config", "worker",
        "--pool=solo", "--concurrency=1", "-l", "warning",
        "-Q", QUEUE, "-n", f"pytest-{os.getpid()}@%h",
        "--without-gossip", "--without-mingle", "--without-heartbeat",
    ]  # fmt: skip
    with log_path.open("ab") as log:
        return subprocess.Popen(
            command,
            cwd=cwd,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def worker_wait(result: AsyncResult, worker: subprocess.Popen, log_path: Path):
    """The task's outcome, or a failure that shows the worker's log."""
    deadline = time.monotonic() + WORKER_START_SECONDS + TASK_SECONDS
    while not result.ready():
        if worker.poll() is not None:
            pytest.fail(f"The worker exited with {worker.returncode}:\n{log_path.read_text()}")
        if time.monotonic() > deadline:
            pytest.fail(f"The worker did not finish the task in time:\n{log_path.read_text()}")
        time.sleep(0.2)
    return result.get(timeout=TASK_SECONDS)
