"""Reads for the audit-trail viewer."""

from audit.models import AuditAnchor, AuditEntry
from audit.services.personal_details import ERASED_ACTION

# The entry that records a verification of the chain (audit.services).
VERIFY_ACTION = "audit.verify"


def audit_latest_anchor() -> AuditAnchor | None:
    return AuditAnchor.objects.order_by("-id").first()


def audit_latest_verification() -> AuditEntry | None:
    """The newest "audit.verify" entry (the action column is indexed)."""
    return AuditEntry.objects.filter(action=VERIFY_ACTION).order_by("-id").first()


def audit_removal_records(entries) -> dict[int, dict]:
    """The details of the records that removed personal values of these entries, by id (one
    query, none when nothing was removed)."""
    ids = {
        record_id
        for entry in entries
        for record_id in entry.erased_fields.values()
        if isinstance(record_id, int)
    }
    if not ids:
        return {}
    return dict(
        AuditEntry.objects.filter(id__in=ids, action=ERASED_ACTION).values_list("id", "details")
    )
