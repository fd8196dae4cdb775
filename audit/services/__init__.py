"""The audit trail's writes: appending (record), verifying the chain (verification) and
blanking personal details (personal_details)."""

from audit.services.personal_details import (
    audit_expired_details_erase,
    audit_expired_done,
    audit_personal_details_erase,
    audit_subject_details_erase,
)
from audit.services.record import audit_anchor_record, audit_chain_restored, audit_record
from audit.services.verification import (
    ChainVerification,
    audit_chain_verify,
    audit_chain_verify_and_alert,
)

__all__ = [
    "ChainVerification",
    "audit_anchor_record",
    "audit_chain_restored",
    "audit_chain_verify",
    "audit_chain_verify_and_alert",
    "audit_expired_details_erase",
    "audit_expired_done",
    "audit_personal_details_erase",
    "audit_record",
    "audit_subject_details_erase",
]
