"""The nightly backup: into Django's default storage under backups/, the oldest pruned once
older than BACKUP_KEEP_DAYS. File names carry the backup's time, so pruning needs no storage
metadata (an S3 bucket and a folder behave alike)."""

from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone

from backups.services import backup_take

FOLDER = "backups"
STAMP = "%Y-%m-%dT%H%M%SZ"


def nightly_backup_store() -> str:
    data, result = backup_take()
    name = f"{FOLDER}/{result.header.taken_at.astimezone(UTC):{STAMP}}.backup"
    saved = default_storage.save(name, ContentFile(data))
    nightly_backups_prune()
    return saved


def nightly_backups_prune() -> int:
    cutoff = timezone.now() - timedelta(days=settings.BACKUP_KEEP_DAYS)
    try:
        _folders, files = default_storage.listdir(FOLDER)
    except FileNotFoundError:
        return 0
    deleted = 0
    for file in files:
        try:
            taken = datetime.strptime(file.removesuffix(".backup"), STAMP).replace(tzinfo=UTC)
        except ValueError:
            continue  # not one of ours: left alone
        if taken < cutoff:
            default_storage.delete(f"{FOLDER}/{file}")
            deleted += 1
    return deleted
