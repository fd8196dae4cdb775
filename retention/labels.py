"""The retention schedule in words: category names and periods as people read them.

A category the data map gains without a name here is still shown readably
(common.present.humanise), never as its slug.
"""

from django.conf import settings

from common import present

CATEGORY_LABELS = {
    "account": "Account data",
    "security_logs": "Login and session logs",
    "investigations": "Security investigations",
    "usage_events": "Usage events",
    "usage_rollups": "Daily usage totals",
    "usage_dead_letters": "Usage events not stored",
    "audit": "Audit trail",
    "rights_requests": "Rights requests",
    "consent": "Cookie choices",
    "enquiries": "Support enquiries",
    "breaches": "Breach records",
    "invitations": "Invitations",
    "disclosures": "Disclosure log",
    "admin_log": "Admin site changes",
    "erasure_ledger": "Erasure ledger",
}


def category_label(category: str) -> str:
    return present.choice(category, CATEGORY_LABELS)


def kept_for(basis: str, days: int) -> str:
    """A policy's period, for the back office: "180 days after the account ends"."""
    period = present.period(days)
    return {
        "account": f"While the account is open, then {period} after it ends",
        "event": f"{period} after the event",
        "closure": f"{period} after closure or the decision",
        "indefinite": "Never purged by the schedule",
        "backups": f"Until no backup older than it is kept ({_backups_kept()}), then {period}",
    }.get(basis, period)


def kept_for_you(basis: str, days: int) -> str:
    """A policy's period, for the person the data is about (the access package)."""
    period = present.period(days)
    return {
        "account": f"Kept while your account is open, then {period} after it ends",
        "event": f"Kept {period} after it was recorded",
        "closure": f"Kept {period} after the matter is closed",
        "indefinite": "Kept without a set end: never purged by the schedule",
        "backups": f"Kept while a backup older than it may be restored ({_backups_kept()}), "
        f"then {period}",
    }.get(basis, f"Kept {period}")


def _backups_kept() -> str:
    return f"backups are kept {present.period(settings.BACKUP_KEEP_DAYS)}"


def details_removed_for_you(basis: str, days: int) -> str:
    """The period of a record that is kept while the personal details in it go (the audit
    trail's events), for the person the data is about."""
    if basis == "indefinite":
        return kept_for_you(basis, days)
    return (
        "The record of each action is kept; the personal details in it are removed "
        f"{present.period(days)} after it was recorded"
    )
