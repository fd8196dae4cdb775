"""A worker killed (SIGKILL, with every process it started) in the middle of a task: Redis
gives the unacknowledged task to a worker again once the visibility timeout has passed, and
each task completes once.

Two kills, one worker each: one in the middle of a retention purge, one in the middle of an
access package build. Then: the purge finished (no expired row left, the killed run marked
interrupted, its rows and the later run's adding up to the rows there were), the package was
built once, its file is the only one, and its letter went once.
"""

import datetime
import time

from celery import current_app as app
from django.db import connection
from django.utils import timezone

from accounts.models import User
from cluster import processes
from cluster.fixtures import DPO_EMAIL, SUBJECT_EMAIL
from cluster.topology import PATHS, WORKERS
from cluster.verdicts import Verdict, say, wait_for
from dsar.executors.package_files import PACKAGE_FOLDER, package_storage
from dsar.models import AccessPackage
from dsar.services.filing import rights_request_file
from dsar.services.subjects import rights_request_confirm_subject
from dsar.tasks import build_access_package
from retention.models import PurgeRun, RetentionPolicy
from retention.tasks import purge_retention_category
from usage.models import DeadLetter

CATEGORY = "usage_dead_letters"
EXPIRED = 150_000
COMPLETE_SECONDS = 150


def _worker_running(task_id: str) -> str | None:
    """The name of the worker running the task (``worker1``), once it runs."""
    active = app.control.inspect(timeout=0.5).active() or {}
    for hostname, tasks in active.items():
        if any(task["id"] == task_id for task in tasks):
            name = hostname.split("@")[0]
            return name if name in WORKERS else None
    return None


def _kill_when_running(task_id: str, mid_task) -> str | None:
    """SIGKILL the worker running ``task_id`` once ``mid_task()`` says it is under way."""
    worker = wait_for(lambda: _worker_running(task_id), 60, every=0.2)
    if worker is None or not wait_for(mid_task, 60, every=0.1):
        return None
    processes.kill_hard(worker)
    say(f"  SIGKILL {worker} (and its pool) in the middle of task {task_id[:8]}")
    return worker


def _expired_dead_letters_make() -> datetime.datetime:
    failed_at = timezone.now() - datetime.timedelta(days=45)
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO usage_deadletter (failed_at, source, reason, payload) "
            "SELECT %s, 'drill', 'drill', '{}' FROM generate_series(1, %s)",
            [failed_at, EXPIRED],
        )
    return failed_at


def purge_killed(verdict: Verdict) -> None:
    RetentionPolicy.objects.filter(category=CATEGORY).update(lease_until=None)
    before = timezone.now()
    failed_at = _expired_dead_letters_make()
    expired = DeadLetter.objects.filter(failed_at__lte=failed_at).count()
    result = purge_retention_category.delay(CATEGORY)

    def running_with_rows():
        run = PurgeRun.objects.filter(category=CATEGORY, status="running").first()
        return run if run and run.counts.get("usage.dead_letters", {}).get("deleted") else None

    worker = _kill_when_running(result.id, running_with_rows)
    if not verdict.check(worker is not None, "a worker was killed in the middle of a purge"):
        return
    done = wait_for(
        lambda: (
            not DeadLetter.objects.filter(failed_at__lte=failed_at).exists()
            and not PurgeRun.objects.filter(category=CATEGORY, status="running").exists()
            and PurgeRun.objects.filter(
                category=CATEGORY, status="succeeded", started_at__gt=before
            ).exists()
        ),
        COMPLETE_SECONDS,
    )
    runs = list(PurgeRun.objects.filter(category=CATEGORY, started_at__gt=before, dry_run=False))
    deleted = sum(run.counts.get("usage.dead_letters", {}).get("deleted", 0) for run in runs)
    verdict.check(bool(done), f"the purge finished after the kill ({len(runs)} runs)")
    verdict.check(
        deleted == expired,
        f"every expired row deleted once: {deleted:,} counted for {expired:,} rows",
    )
    verdict.check(
        any(run.status == "interrupted" for run in runs), "the killed run is marked interrupted"
    )


def _letters(reference: str) -> int:
    subject = f"Subject: Your data is ready: request {reference}"
    return sum(path.read_text(errors="replace").count(subject) for path in PATHS.mail.iterdir())


def _package_files(reference: str) -> int:
    storage = package_storage()
    if not storage.exists(PACKAGE_FOLDER):
        return 0
    return sum(name.startswith(reference) for name in storage.listdir(PACKAGE_FOLDER)[1])


def package_killed(verdict: Verdict) -> None:
    dpo = User.objects.get(email=DPO_EMAIL)
    request = rights_request_file(
        kind="access",
        requester_name="Drill Subject",
        requester_email=SUBJECT_EMAIL,
        channel="web_form",
        verified=True,
    )
    rights_request_confirm_subject(
        request=request, user=User.objects.get(email=SUBJECT_EMAIL), by=dpo
    )
    request.refresh_from_db()
    result = build_access_package.delay(request.pk, dpo.pk)
    started = time.monotonic()
    worker = _kill_when_running(
        result.id,
        lambda: (
            time.monotonic() - started > 1.5
            and not AccessPackage.objects.filter(request=request).exists()
        ),
    )
    if not verdict.check(worker is not None, "a worker was killed while a package was built"):
        return
    built = wait_for(
        lambda: (
            AccessPackage.objects.filter(request=request).exists()
            and _letters(request.reference) >= 1
        ),
        COMPLETE_SECONDS,
    )
    time.sleep(5)  # a second build or letter would show by now
    verdict.check(bool(built), f"the package of {request.reference} was built after the kill")
    packages = AccessPackage.objects.filter(request=request).count()
    verdict.check(packages == 1, f"built once: {packages} package(s)")
    files = _package_files(request.reference)
    verdict.check(files == 1, f"one file in the shared storage: {files}")
    letters = _letters(request.reference)
    verdict.check(letters == 1, f"its letter sent once: {letters}")


def run() -> Verdict:
    verdict = Verdict("worker killed mid-task")
    say("Drill: a worker killed with SIGKILL mid-task (purge, then package build)")
    purge_killed(verdict)
    for name in WORKERS:  # supervisord restarts a killed worker; wait for both
        wait_for(lambda name=name: processes.pid(name), 30)
    package_killed(verdict)
    return verdict
