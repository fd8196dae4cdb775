"""Where access packages' files live: the "packages" storage of settings.STORAGES, a directory
under MEDIA_ROOT that every web and worker process mounts, or an S3-compatible bucket. Nothing
here knows a path: a file the worker saves is the file the web streams and erasure deletes.
"""

import datetime

from django.core.files import File
from django.core.files.storage import Storage, storages
from django.utils import timezone

import audit
from dsar.models import AccessPackage

PACKAGE_FOLDER = "packages"


def package_storage() -> Storage:
    """Where packages live: a directory every process mounts, or a bucket (settings.STORAGES)."""
    return storages["packages"]


def package_storage_name(package: AccessPackage) -> str:
    return f"{PACKAGE_FOLDER}/{package.file_name}"


def package_open(package: AccessPackage) -> File:
    """The package's file, opened for reading; FileNotFoundError when it is gone."""
    storage = package_storage()
    name = package_storage_name(package)
    if not storage.exists(name):
        raise FileNotFoundError(name)
    return storage.open(name, "rb")


def package_file_delete(package: AccessPackage) -> None:
    """Delete the package's file; nothing happens when it is already gone."""
    package_storage().delete(package_storage_name(package))


def access_packages_delete_expired(*, now: datetime.datetime | None = None) -> int:
    """Delete the file of every package past its expiry; the record stays, marked deleted.

    Idempotent: a package is claimed by a conditional update, so of two runs at once one
    deletes it, and a run after that finds nothing. Returns how many packages it deleted.
    """
    now = now or timezone.now()
    deleted = 0
    expired = AccessPackage.objects.filter(expires_at__lte=now, deleted_at__isnull=True)
    for package in expired.select_related("request").order_by("pk").iterator():
        # The file goes first: a crash between the two leaves a record still to be claimed,
        # never a claimed record whose file lingers.
        package_file_delete(package)
        claimed = AccessPackage.objects.filter(pk=package.pk, deleted_at__isnull=True).update(
            deleted_at=now
        )
        if claimed:
            deleted += 1
            audit.record(
                None,
                "rights_request.package_expired",
                target=package.request,
                details={"package": package.pk, "expired_at": package.expires_at.isoformat()},
            )
    return deleted
