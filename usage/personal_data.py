from django.db.models import Q

from datamap import Anonymise, Category, Delete, Entry, LegalBasis, register
from usage.models import Action


def _own(subject):
    return Q(user_id__in=subject.user_ids)


register(
    Entry(
        name="usage.events",
        title="Usage events",
        labels={
            "occurred_at": "When",
            "action": "Action",
            "feature": "Feature",
            "path": "Page",
            "status_code": "Response code",
            "duration_ms": "Time taken (ms)",
            "purpose": "Purpose",
            "ip_address": "IP address",
            "user_agent_family": "Browser",
        },
        value_labels={"action": dict(Action.choices)},
        model="usage.UsageEvent",
        category=Category.USAGE,
        description="How and when the product was used: time, IP address, browser, "
        "page or feature, purpose.",
        subject=_own,
        export_fields=(
            "occurred_at",
            "action",
            "feature",
            "path",
            "status_code",
            "duration_ms",
            "purpose",
            "ip_address",
            "user_agent_family",
        ),
        # The counts stay for the client's totals; nothing in them points at the person.
        erasure=Anonymise({"user": None, "ip_address": None, "session_hash": ""}),
        retention_category="usage_events",
        retention_field="occurred_at",
        legal_basis=LegalBasis.LEGITIMATE_INTERESTS,
        legal_basis_detail=(
            "Reporting usage to the client that employs the user; security of data and systems."
        ),
    )
)

register(
    Entry(
        name="usage.daily",
        title="Daily usage by feature",
        labels={
            "date": "Day",
            "feature": "Feature",
            "purpose": "Purpose",
            "event_count": "Events",
            "total_duration_ms": "Total time (ms)",
        },
        model="usage.DailyUsage",
        category=Category.USAGE,
        description="Daily totals of product use per feature and purpose.",
        subject=_own,
        export_fields=("date", "feature", "purpose", "event_count", "total_duration_ms"),
        erasure=Anonymise({"user": None}),
        retention_category="usage_rollups",
        retention_field="date",
        legal_basis=LegalBasis.LEGITIMATE_INTERESTS,
        legal_basis_detail="Reporting usage patterns to the client (frequency, purpose).",
    )
)

register(
    Entry(
        name="usage.daily_per_person",
        title="Daily usage",
        labels={
            "date": "Day",
            "event_count": "Events",
            "total_duration_ms": "Total time (ms)",
        },
        model="usage.DailyUserUsage",
        category=Category.USAGE,
        description="Daily totals of product use per person.",
        subject=_own,
        export_fields=("date", "event_count", "total_duration_ms"),
        erasure=Anonymise({"user": None}),
        retention_category="usage_rollups",
        retention_field="date",
        legal_basis=LegalBasis.LEGITIMATE_INTERESTS,
        legal_basis_detail="Reporting usage patterns to the client (frequency, purpose).",
    )
)

register(
    Entry(
        name="usage.dead_letters",
        title="Usage events not stored",
        labels={
            "failed_at": "When",
            "reason": "Why",
            "payload": "Event as received",
        },
        model="usage.DeadLetter",
        category=Category.USAGE,
        description="Usage events that could not be stored (for example, holding characters "
        "the database refuses), kept briefly so the cause can be found and fixed.",
        subject=_own,
        export_fields=("failed_at", "reason", "payload"),
        erasure=Delete(),
        retention_category="usage_dead_letters",
        retention_field="failed_at",
        legal_basis=LegalBasis.LEGITIMATE_INTERESTS,
        legal_basis_detail="Keeping usage logging working: finding why events were refused.",
    )
)
