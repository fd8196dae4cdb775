from django.db.models import Q

from datamap import Category, Entry, LegalBasis, Retain, exempt, register

# The disclosure entries keep the names they had under audit/: access packages carry each
# entry's name in their rows (dsar's DISCLOSURES_ENTRY too). Their retention category is the
# disclosure log's own (retention/defaults.py: six years after the disclosure).
_DISCLOSURE_KEPT = Retain(
    "The record of who received personal data is itself accountability evidence "
    "(UK GDPR Articles 5(2) and 30)."
)

register(
    Entry(
        name="audit.disclosures",
        title="Disclosures you made",
        labels={
            "occurred_at": "When",
            "recipient": "To",
            "description": "What",
            "legal_basis": "Legal basis",
            "views": "Times seen that day",
        },
        model="records.Disclosure",
        category=Category.SECURITY,
        description="Disclosures a user made: reports downloaded or pulled for a client.",
        subject=lambda s: Q(disclosed_by_id__in=s.user_ids),
        export_fields=("occurred_at", "recipient", "description", "legal_basis", "views"),
        erasure=_DISCLOSURE_KEPT,
        retention_category="disclosures",
        retention_field="occurred_at",
        legal_basis=LegalBasis.LEGAL_OBLIGATION,
        legal_basis_detail="Demonstrating compliance with data protection law.",
    )
)

register(
    Entry(
        name="audit.disclosures_about",
        title="Disclosures of your data",
        labels={
            "disclosure__occurred_at": "When",
            "disclosure__recipient": "To",
            "disclosure__recipient_type": "Type of recipient",
            "disclosure__description": "What",
            "disclosure__legal_basis": "Legal basis",
            "disclosure__views": "Times seen that day",
        },
        model="records.DisclosureSubject",
        category=Category.USAGE,
        description="Disclosures of your data: to whom, when, on what basis.",
        subject=lambda s: Q(user_id__in=s.user_ids),
        export_fields=(
            "disclosure__occurred_at",
            "disclosure__recipient",
            "disclosure__recipient_type",
            "disclosure__description",
            "disclosure__legal_basis",
            "disclosure__views",
        ),
        erasure=_DISCLOSURE_KEPT,
        retention_category="disclosures",
        retention_field="disclosure__occurred_at",
        legal_basis=LegalBasis.LEGAL_OBLIGATION,
        legal_basis_detail="Demonstrating compliance with data protection law.",
    )
)

exempt(
    "records.ProcessingActivity",
    "Describes processing in general terms (purposes, bases, measures); names no person.",
)
exempt(
    "records.Processor",
    "Names service providers (companies), their region and safeguards; no person.",
)
