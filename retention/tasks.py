"""Thin Celery wrappers over the purge engine. Late acknowledgement: a worker killed mid-run
leaves the message to be delivered again, and the purge carries on where the last
committed batch ended."""

import logging

from celery import shared_task

from retention.models import RetentionPolicy
from retention.services import purge

logger = logging.getLogger(__name__)


def _summary(run) -> dict:
    return {
        "run": run.pk,
        "status": run.status,
        "deleted": run.total_deleted,
        "anonymised": run.total_anonymised,
    }


@shared_task(acks_late=True, reject_on_worker_lost=True)
def purge_retention_category(category: str) -> dict | None:
    if not RetentionPolicy.objects.filter(category=category).exists():
        logger.warning("No retention policy for %s: nothing purged", category)
        return None
    run = purge.purge_category(category=category)
    purge.partitions_reclaim()  # the months the run detached, with their exact counts
    run.refresh_from_db()
    return _summary(run)


@shared_task(acks_late=True)
def dry_run_retention_category(category: str, trigger: str = "schedule") -> dict | None:
    if not RetentionPolicy.objects.filter(category=category).exists():
        return None
    return _summary(purge.purge_category(category=category, dry_run=True, trigger=trigger))
