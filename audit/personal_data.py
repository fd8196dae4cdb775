from django.conf import settings
from django.db.models import Q

from datamap import Category, Entry, LegalBasis, Retain, register

register(
    Entry(
        name="audit.trail",
        model="audit.AuditEntry",
        category=Category.SECURITY,
        description="Back-office actions: who did what to whose data, when, from which IP.",
        subject=lambda s: (
            Q(actor_id__in=s.user_ids)
            | Q(
                target_type=settings.AUTH_USER_MODEL,
                target_id__in=[str(pk) for pk in s.user_ids],
            )
        ),
        export_fields=("created_at", "actor_label", "action", "target_label", "ip_address"),
        erasure=Retain(
            "The audit trail is append-only evidence of how personal data was handled "
            "(UK GDPR Article 5(2), accountability)."
        ),
        retention_category="audit",
        retention_field="created_at",
        legal_basis=LegalBasis.LEGAL_OBLIGATION,
        legal_basis_detail="Demonstrating compliance with data protection law.",
    )
)

_DISCLOSURE_KEPT = Retain(
    "The record of who received personal data is itself accountability evidence "
    "(UK GDPR Articles 5(2) and 30)."
)

register(
    Entry(
        name="audit.disclosures",
        model="audit.Disclosure",
        category=Category.SECURITY,
        description="Disclosures a user made: reports downloaded or pulled for a client.",
        subject=lambda s: Q(disclosed_by_id__in=s.user_ids),
        export_fields=("occurred_at", "recipient", "description", "legal_basis"),
        erasure=_DISCLOSURE_KEPT,
        retention_category="audit",
        retention_field="occurred_at",
        legal_basis=LegalBasis.LEGAL_OBLIGATION,
        legal_basis_detail="Demonstrating compliance with data protection law.",
    )
)

register(
    Entry(
        name="audit.disclosures_about",
        model="audit.DisclosureSubject",
        category=Category.USAGE,
        description="Disclosures of your data: to whom, when, on what basis.",
        subject=lambda s: Q(user_id__in=s.user_ids),
        export_fields=(
            "disclosure__occurred_at",
            "disclosure__recipient",
            "disclosure__recipient_type",
            "disclosure__description",
            "disclosure__legal_basis",
        ),
        erasure=_DISCLOSURE_KEPT,
        retention_category="audit",
        retention_field="disclosure__occurred_at",
        legal_basis=LegalBasis.LEGAL_OBLIGATION,
        legal_basis_detail="Demonstrating compliance with data protection law.",
    )
)
