from celery import shared_task

from backups.nightly import nightly_backup_store


@shared_task
def take_nightly_backup() -> str:
    """Nightly: back up the database into the default storage and prune old backups."""
    return nightly_backup_store()
