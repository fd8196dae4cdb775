"""The default retention schedule: seeded by a data migration, documented in the README.

One line per retention category of the data map, including those other apps add later
(``consent`` with cookie consent, ``enquiries`` with the contact form), so that a category
is never left without a policy when its app lands.
"""

from dataclasses import dataclass

# Six years: the limitation period for claims, after which the audit trail's entries keep no
# personal details (AUDIT_PERSONAL_DETAILS_DAYS in the environment sets the policy's days when
# retention migration 0008 moves the policy to it).
AUDIT_PERSONAL_DETAILS_DAYS = 2190
PURGE_START_HOUR = 1
PURGE_SPACING_MINUTES = 5


def purge_time(n: int) -> tuple[int, int]:
    """(hour, minute) of the n-th category's nightly purge: from 01:00, five minutes apart,
    into 02:00 and beyond once there are twelve categories or more (a minute is 0-59)."""
    minutes = PURGE_SPACING_MINUTES * n
    return PURGE_START_HOUR + minutes // 60, minutes % 60


@dataclass(frozen=True)
class DefaultPolicy:
    category: str
    basis: str  # "account", "event", "closure", "indefinite", "backups"
    days: int
    action: str  # "data_map" or "delete"
    rationale: str


DEFAULT_POLICIES = (
    DefaultPolicy(
        "account",
        "account",
        180,
        "data_map",
        "Kept while the account is active, then six months for troubleshooting, restoring "
        "after data loss, complaints and claims; then erased as the erasure right erases.",
    ),
    DefaultPolicy(
        "security_logs",
        "event",
        90,
        "data_map",
        "Login attempts and sessions: long enough to investigate suspicious access.",
    ),
    DefaultPolicy(
        "investigations",
        "event",
        730,
        "data_map",
        "Investigations of suspicious activity, for later incidents and claims.",
    ),
    DefaultPolicy(
        "usage_events",
        "event",
        395,
        "delete",
        "Thirteen months of raw events: a year-on-year report; the daily totals stay.",
    ),
    DefaultPolicy(
        "usage_rollups",
        "event",
        1095,
        "data_map",
        "Daily totals: three years of trends for the client, then no longer tied to a person.",
    ),
    DefaultPolicy(
        "audit",
        "event",
        AUDIT_PERSONAL_DETAILS_DAYS,
        "data_map",
        "The audit trail's events stay as evidence of accountability; six years after each "
        "entry, the names, IP addresses and personal details in it are removed (its chain "
        "keeps verifying).",
    ),
    DefaultPolicy(
        "rights_requests",
        "closure",
        730,
        "data_map",
        "Two years after a rights request is closed, to show it was handled lawfully.",
    ),
    DefaultPolicy(
        "consent",
        "closure",
        730,
        "data_map",
        "Proof of a cookie decision, kept two years after the decision.",
    ),
    DefaultPolicy(
        "enquiries",
        "closure",
        365,
        "data_map",
        "Enquiries, one year after they are answered.",
    ),
    DefaultPolicy(
        "breaches",
        "closure",
        2190,
        "data_map",
        "Breach records, six years after the breach is closed: evidence for the ICO "
        "(Article 33(5)) and for claims within the limitation period.",
    ),
    DefaultPolicy(
        "usage_dead_letters",
        "event",
        30,
        "delete",
        "Usage events the database refused: a month to find and fix the cause; they are "
        "never replayed.",
    ),
    DefaultPolicy(
        "invitations",
        "closure",
        90,
        "delete",
        'Invitations whose 72 hours passed unaccepted: three months to answer "I never got the '
        'link" and to show who was invited when; then deleted. Accepted ones go with the account.',
    ),
    DefaultPolicy(
        "usage_reports",
        "event",
        365,
        "delete",
        "Scheduled usage reports delivered to clients and CSV exports of the usage report: a "
        "year from the delivery (or the export's request), to answer a client's questions "
        "about what it was sent; the disclosure log keeps its own record. Export files go "
        "24 hours after they are ready.",
    ),
    DefaultPolicy(
        "disclosures",
        "event",
        2190,
        "delete",
        "The disclosure log shows who received personal data, when and on what basis (Articles "
        "5(2) and 30): six years after the disclosure, the limitation period for claims "
        "(Limitation Act 1980); then deleted with the list of the people it carried.",
    ),
    DefaultPolicy(
        "admin_log",
        "event",
        730,
        "delete",
        "Changes superusers made in the admin site: two years, to look into a privileged change "
        "or a later incident; then deleted.",
    ),
    DefaultPolicy(
        "erasure_ledger",
        "backups",
        7,
        "delete",
        "An erasure's entry is needed only while a backup older than it can be restored: kept "
        "until every backup kept (BACKUP_KEEP_DAYS) is newer, then a week more for a nightly "
        "backup or pruning that ran late; then deleted.",
    ),
)
