from django.conf import settings
from django.db.models import Q

from audit.labels import ACTION_LABELS
from audit.services import (
    audit_expired_details_erase,
    audit_expired_done,
    audit_subject_details_erase,
)
from datamap import Category, Entry, LegalBasis, Redact, register

register(
    Entry(
        name="audit.trail",
        title="Actions on your data",
        labels={
            "created_at": "When",
            "actor_label": "By",
            "action": "Action",
            "target_label": "On",
            "ip_address": "IP address",
        },
        value_labels={"action": ACTION_LABELS},
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
        # The events stay, as append-only evidence of how personal data was handled (UK GDPR
        # Article 5(2)); what names the person goes, and the trail records that it went.
        erasure=Redact(
            of_subject=audit_subject_details_erase,
            of_rows=audit_expired_details_erase,
            done=audit_expired_done,
        ),
        retention_category="audit",
        retention_field="created_at",
        legal_basis=LegalBasis.LEGAL_OBLIGATION,
        legal_basis_detail="Demonstrating compliance with data protection law.",
    )
)
