from celery import shared_task

from audit.models import AuditAnchor
from audit.services import audit_chain_verify_and_alert


@shared_task
def verify_audit_chain(kind: str = AuditAnchor.Kind.NIGHTLY) -> dict:
    result = audit_chain_verify_and_alert(kind=AuditAnchor.Kind(kind))
    return {"checked": result.checked, "broken_entry_id": result.broken_entry_id}
