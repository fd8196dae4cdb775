"""The files of usage exports (``usage.services.exports``): built by a worker with their
progress recorded, downloaded for 24 hours from the "exports" storage, then deleted, the
record kept as expired.

The file goes through Django's storage API (settings.STORAGES["exports"]), never a local
path, so a file one node's worker writes is the file another node's web streams.
"""

import csv
import datetime
import io
import logging

from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.core.files.storage import Storage, storages
from django.db import transaction
from django.utils import timezone

import audit
from accounts.selectors import report_entitlement
from common.csv import neutralise
from usage.models import UsageExport
from usage.reports import report_csv_rows
from usage.selectors import usage_report
from usage.services.disclosures import usage_report_disclose

logger = logging.getLogger(__name__)

EXPORT_FOLDER = "usage-exports"
KEPT_FOR = datetime.timedelta(hours=24)
# Progress: the report's queries take the first tenth, writing its rows the rest.
PROGRESS_QUERIED = 10
PROGRESS_EVERY_ROWS = 500


def export_storage() -> Storage:
    return storages["exports"]


def _storage_name(export: UsageExport) -> str:
    return f"{EXPORT_FOLDER}/{export.organisation_id}/export-{export.pk}.csv"


def _progress(export: UsageExport, progress: int) -> None:
    # Committed at once (no transaction is open here) so that the status page sees it.
    UsageExport.objects.filter(pk=export.pk).update(progress=progress)
    export.progress = progress


def usage_export_build(*, export: UsageExport) -> bool:
    """Build a queued export's file; False when another run has it or had it already."""
    claimed = UsageExport.objects.filter(pk=export.pk, status=UsageExport.Status.QUEUED).update(
        status=UsageExport.Status.BUILDING, progress=0
    )
    if not claimed:
        return False
    export.refresh_from_db()
    name = _storage_name(export)
    try:
        report = usage_report(
            organisation=export.organisation,
            start=export.start,
            end=export.end,
            group_by=export.grouping,
        )
        _progress(export, PROGRESS_QUERIED)
        header, rows = report_csv_rows(report)
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow([neutralise(h) for h in header])
        for n, row in enumerate(rows, start=1):
            writer.writerow([neutralise(cell) for cell in row])
            if n % PROGRESS_EVERY_ROWS == 0:
                share = (100 - PROGRESS_QUERIED - 1) * n // len(rows)
                _progress(export, PROGRESS_QUERIED + share)
        storage = export_storage()
        storage.delete(name)  # a build that died after saving left it: start afresh
        stored = storage.save(name, ContentFile(buffer.getvalue().encode("utf-8")))
    except Exception as error:
        UsageExport.objects.filter(pk=export.pk).update(
            status=UsageExport.Status.FAILED, error=type(error).__name__[:200]
        )
        export_storage().delete(name)
        logger.exception("Usage export %s failed", export.pk)
        raise
    now = timezone.now()
    UsageExport.objects.filter(pk=export.pk).update(
        status=UsageExport.Status.READY,
        progress=100,
        file_name=stored,
        rows=len(rows),
        ready_at=now,
        expires_at=now + KEPT_FOR,
    )
    export.refresh_from_db()
    return True


def usage_export_is_downloadable(export: UsageExport, now: datetime.datetime | None = None) -> bool:
    return (
        export.status == UsageExport.Status.READY
        and export.expires_at is not None
        and export.expires_at > (now or timezone.now())
    )


def usage_export_open(*, export: UsageExport, by):
    """The export's file for a download, recorded as a disclosure of the report to the client,
    or to the group company, affiliate or partner whose admin downloads it; FileNotFoundError
    once it expired or its file is gone, PermissionDenied once that entitlement ended."""
    entitlement = None
    if by.organisation_id != export.organisation_id:
        entitlement = report_entitlement(
            member_id=by.organisation_id, organisation_id=export.organisation_id
        )
        if entitlement is None:
            raise PermissionDenied("This report is no longer yours to download.")
    if not usage_export_is_downloadable(export) or not export_storage().exists(export.file_name):
        raise FileNotFoundError(export.pk)
    handle = export_storage().open(export.file_name, "rb")
    report = usage_report(
        organisation=export.organisation,
        start=export.start,
        end=export.end,
        group_by=export.grouping,
    )
    with transaction.atomic():
        usage_report_disclose(
            report=report, by=by, channel="CSV export download", entitlement=entitlement
        )
        audit.record(by, "usage_export.downloaded", target=export)
    return handle


def usage_exports_delete_expired(*, now: datetime.datetime | None = None) -> int:
    """Delete the file of every export past its 24 hours; the record stays, marked expired.

    Idempotent: each export is claimed by a conditional update, so of two runs at once one
    deletes it. Returns how many it expired.
    """
    now = now or timezone.now()
    expired = 0
    due = UsageExport.objects.filter(status=UsageExport.Status.READY, expires_at__lte=now)
    for export in due.order_by("pk").iterator():
        # The file first: a crash between the two leaves a record still to be claimed, never
        # a record marked expired whose file lingers.
        export_storage().delete(export.file_name)
        claimed = UsageExport.objects.filter(pk=export.pk, status=UsageExport.Status.READY).update(
            status=UsageExport.Status.EXPIRED
        )
        if claimed:
            expired += 1
            audit.record(None, "usage_export.expired", target=export)
    return expired
