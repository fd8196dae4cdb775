"""A purge's claim on its category: a lease taken with a conditional UPDATE, so that two
workers never purge one category at once, and what becomes of runs a lost worker left."""

import datetime

from django.conf import settings
from django.db.models import F, Q

from retention.models import PurgeRun, RetentionPolicy


def claim(policy: RetentionPolicy, now) -> bool:
    lease = now + datetime.timedelta(seconds=settings.RETENTION_LEASE_SECONDS)
    return bool(
        RetentionPolicy.objects.filter(pk=policy.pk)
        .filter(Q(lease_until__isnull=True) | Q(lease_until__lt=now))
        .update(lease_until=lease)
    )


def release(policy: RetentionPolicy) -> None:
    RetentionPolicy.objects.filter(pk=policy.pk).update(lease_until=None)


def run_skipped(*, category: str, trigger: str, now) -> PurgeRun:
    return PurgeRun.objects.create(
        category=category,
        trigger=trigger,
        status=PurgeRun.Status.SKIPPED,
        started_at=now,
        finished_at=now,
        error="Another purge of this category is running.",
    )


def runs_interrupted_close(category: str) -> None:
    """We hold the claim, so any run still marked running lost its worker."""
    PurgeRun.objects.filter(
        category=category, dry_run=False, status=PurgeRun.Status.RUNNING
    ).update(
        status=PurgeRun.Status.INTERRUPTED,
        finished_at=F("heartbeat_at"),
        error="The worker stopped before the run finished; a later run carried on.",
    )
