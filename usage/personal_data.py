from django.db.models import Q

from datamap import Anonymise, Category, Delete, Entry, LegalBasis, register


def _own(subject):
    return Q(user_id__in=subject.user_ids)


register(
    Entry(
        name="usage.events",
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
