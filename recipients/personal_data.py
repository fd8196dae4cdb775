from django.db.models import Q

from datamap import Category, Entry, LegalBasis, Retain, exempt, register

_TOLD_KEPT = Retain(
    "The record that each recipient was told of an erasure, correction or restriction is the "
    "evidence Article 19 asks for; the e-mail address it names is blanked once the recipient "
    "confirms."
)

register(
    Entry(
        name="recipients.notices",
        title="Recipients told of your request",
        labels={
            "created_at": "When",
            "recipient_label": "Recipient",
            "event": "What they were told",
            "status": "State",
            "confirmed_at": "Confirmed",
        },
        model="recipients.Notice",
        category=Category.RIGHTS_REQUEST,
        description="Which recipients of your data were told of an erasure, correction or "
        "restriction, and whether they confirmed.",
        subject=lambda s: Q(subject_id__in=s.user_ids),
        export_fields=("created_at", "recipient_label", "event", "status", "confirmed_at"),
        erasure=_TOLD_KEPT,
        retention_category="rights_requests",
        retention_field="created_at",
        legal_basis=LegalBasis.LEGAL_OBLIGATION,
        legal_basis_detail="Telling recipients of an erasure, correction or restriction "
        "(UK GDPR Article 19).",
    )
)

register(
    Entry(
        name="recipients.deliveries",
        title="Webhook messages about your request",
        labels={"created_at": "When", "status": "State", "attempts": "Attempts"},
        model="recipients.WebhookDelivery",
        category=Category.RIGHTS_REQUEST,
        description="Messages sent to your employer's systems to tell them of your request.",
        subject=lambda s: Q(notice__subject_id__in=s.user_ids),
        export_fields=("created_at", "status", "attempts"),
        erasure=_TOLD_KEPT,
        retention_category="rights_requests",
        retention_field="created_at",
        legal_basis=LegalBasis.LEGAL_OBLIGATION,
        legal_basis_detail="Telling recipients of an erasure, correction or restriction "
        "(UK GDPR Article 19).",
    )
)

exempt(
    "recipients.ProcessorContact",
    "A service provider's address for privacy instructions: a company's, not a person's.",
)
exempt(
    "recipients.WebhookEndpoint",
    "A client organisation's web address and signing secret; names no person.",
)
