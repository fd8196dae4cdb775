"""The breach register names people: who opened and decided, and, in free text, who was hit."""

from django.db.models import Q

from datamap import Category, Entry, LegalBasis, Retain, register

_KEPT = Retain(
    "Every personal data breach must be documented, with its facts, effects and remedial "
    "action, so that the ICO can verify compliance (UK GDPR Article 33(5)); the retention "
    "schedule purges the record."
)


def _breaches_of(subject):
    return (
        Q(opened_by_id__in=subject.user_ids)
        | Q(closed_by_id__in=subject.user_ids)
        | Q(investigation__user_id__in=subject.user_ids)
        | Q(dpo_contact_email__in=subject.emails)
    )


register(
    Entry(
        name="breaches.breaches",
        title="Personal data breaches",
        labels={
            "id": "Breach number",
            "title": "Title",
            "aware_at": "We became aware",
            "occurred_at": "Happened",
            "description": "What happened",
            "likely_consequences": "Likely consequences",
            "measures_taken": "Measures taken",
            "status": "Status",
            "ico_reported_at": "Reported to the ICO",
        },
        model="breaches.Breach",
        category=Category.SECURITY,
        description="Personal data breaches: what happened, to whom, the decisions taken.",
        subject=_breaches_of,
        export_fields=(
            "id",
            "title",
            "aware_at",
            "occurred_at",
            "description",
            "likely_consequences",
            "measures_taken",
            "status",
            "ico_reported_at",
        ),
        export_note="People named only in the free text are found by the DPO, not by search.",
        erasure=_KEPT,
        retention_category="breaches",
        retention_field="closed_at",
        legal_basis=LegalBasis.LEGAL_OBLIGATION,
        legal_basis_detail="Documenting personal data breaches (UK GDPR Article 33(5)).",
    )
)

register(
    Entry(
        name="breaches.events",
        title="Breach decisions and updates",
        labels={
            "breach_id": "Breach number",
            "at": "When",
            "kind": "Decision",
            "reason": "Reason",
        },
        model="breaches.BreachEvent",
        category=Category.SECURITY,
        description="Decisions about a breach, with their reasons, and updates sent.",
        subject=lambda s: (
            Q(by_id__in=s.user_ids) | Q(breach__investigation__user_id__in=s.user_ids)
        ),
        export_fields=("breach_id", "at", "kind", "reason"),
        erasure=_KEPT,
        retention_category="breaches",
        retention_field="breach__closed_at",
        legal_basis=LegalBasis.LEGAL_OBLIGATION,
        legal_basis_detail="Documenting personal data breaches (UK GDPR Article 33(5)).",
        erasure_order=90,
    )
)
