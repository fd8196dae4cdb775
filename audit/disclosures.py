"""The disclosure log: every time personal data leaves the company, one call records it."""

from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone

import audit
from audit.models import Disclosure, DisclosureSubject


def disclosure_record(
    *,
    recipient_type: str,
    recipient: str,
    legal_basis: str,
    categories: Iterable[str],
    description: str,
    subject_user_ids: Iterable[int] = (),
    organisation=None,
    by=None,
    by_label: str = "",
    reference: str = "",
) -> Disclosure:
    """Record a disclosure and the people it concerned; the audit trail gets an entry too."""
    subject_ids = sorted({int(pk) for pk in subject_user_ids if pk is not None})
    is_user = by is not None and getattr(by, "pk", None) is not None
    with transaction.atomic():
        disclosure = Disclosure(
            occurred_at=timezone.now(),
            recipient_type=recipient_type,
            recipient=recipient,
            organisation=organisation,
            legal_basis=legal_basis,
            categories=sorted(set(categories)),
            description=description,
            reference=reference,
            disclosed_by=by if is_user else None,
            disclosed_by_label=by_label or (by.get_username() if by is not None else "system"),
            subject_count=len(subject_ids),
        )
        disclosure.full_clean()
        disclosure.save()
        DisclosureSubject.objects.bulk_create(
            [DisclosureSubject(disclosure=disclosure, user_id=pk) for pk in subject_ids],
            batch_size=1000,
        )
        audit.record(
            by if is_user else None,
            "disclosure.record",
            target=disclosure,
            details={"recipient_type": recipient_type, "subjects": len(subject_ids)},
        )
    return disclosure
