"""The append-only, tamper-evident audit trail of every back-office action."""


def record(actor, action: str, target=None, details: dict | None = None, **kwargs):
    """Append one entry to the audit trail. See ``audit.services.audit_record``."""
    # Here, not at the top: Django imports this package before the app registry is ready,
    # and services import the models.
    from audit.services import audit_record

    return audit_record(actor=actor, action=action, target=target, details=details, **kwargs)
