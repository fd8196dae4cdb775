from celery import shared_task

from audit.services import audit_chain_verify_and_alert


@shared_task
def verify_audit_chain() -> dict:
    result = audit_chain_verify_and_alert()
    return {"checked": result.checked, "broken_entry_id": result.broken_entry_id}
