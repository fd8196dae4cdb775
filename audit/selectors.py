"""Reads for the audit-trail viewer."""

from audit.models import AuditAnchor, AuditEntry

# The entry that records a verification of the chain (audit.services).
VERIFY_ACTION = "audit.verify"


def audit_latest_anchor() -> AuditAnchor | None:
    return AuditAnchor.objects.order_by("-id").first()


def audit_latest_verification() -> AuditEntry | None:
    """The newest "audit.verify" entry (the action column is indexed)."""
    return AuditEntry.objects.filter(action=VERIFY_ACTION).order_by("-id").first()
