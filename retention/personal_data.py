"""What retention holds about people: legal holds (on whom, why, who placed and released)."""

from django.db.models import Q

from datamap import Category, Entry, LegalBasis, Retain, exempt, register

register(
    Entry(
        name="retention.legal_holds",
        title="Legal holds",
        labels={
            "placed_at": "Placed",
            "reason": "Reason",
            "released_at": "Released",
        },
        model="retention.LegalHold",
        category=Category.SECURITY,
        description="Legal holds on your data: why, when placed and when released.",
        subject=lambda s: (
            Q(user_id__in=s.user_ids)
            | Q(user__email__in=s.emails)
            | Q(placed_by_id__in=s.user_ids)
            | Q(released_by_id__in=s.user_ids)
        ),
        export_fields=("placed_at", "reason", "released_at"),
        erasure=Retain(
            "A legal hold is kept to establish, exercise or defend legal claims "
            "(Article 17(3)(e)); while it stands nothing of the person is erased."
        ),
        retention_category="audit",
        retention_field="placed_at",
        legal_basis=LegalBasis.LEGITIMATE_INTERESTS,
        legal_basis_detail="Establishing, exercising or defending legal claims.",
    )
)

exempt("retention.RetentionPolicy", "The schedule for a category of data; it names no person.")
exempt(
    "retention.PurgeRun",
    "Counts of rows purged per data-map entry; it names no person and links to no user.",
)
exempt(
    "retention.ErasureLedgerEntry",
    "Keyed hashes of an erased person's identifiers, never the identifiers: kept so that a "
    "backup restore erases them again (Art. 17), in a database of its own, and purged by the "
    "retention category erasure_ledger once every backup kept is newer than the entry.",
)
