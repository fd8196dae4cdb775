"""The append-only, tamper-evident audit trail of every back-office action."""


def record(actor, action: str, target=None, details: dict | None = None, **kwargs):
    """Append one entry to the audit trail. See ``audit.services.audit_record``."""
    # Imported here, not above: Django imports this package while it loads the apps, before
    # models may be imported, and audit.services imports the audit models.
    from audit.services import audit_record

    return audit_record(actor=actor, action=action, target=target, details=details, **kwargs)
