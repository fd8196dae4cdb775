"""Records writes: a disclosure is recorded (one call each time personal data leaves the
company), and the DPO edits a processing activity and its processors."""

from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone

import audit
from records.models import Disclosure, DisclosureSubject, ProcessingActivity, Processor


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


EDITABLE_FIELDS = (
    "name",
    "purpose",
    "legal_basis",
    "legitimate_interest",
    "balancing_summary",
    "people_categories",
    "data_categories",
    "recipients",
    "location",
    "security_measures",
)


def processing_activity_update(
    *, activity: ProcessingActivity, changes: dict, processors: list[dict], by
) -> ProcessingActivity:
    """Change the activity's fields and replace its processors, all or nothing; audited."""
    with transaction.atomic():
        activity = ProcessingActivity.objects.select_for_update().get(pk=activity.pk)
        changed = []
        for name in EDITABLE_FIELDS:
            if name in changes and getattr(activity, name) != changes[name]:
                setattr(activity, name, changes[name])
                changed.append(name)
        activity.full_clean()
        activity.save()
        before = sorted(activity.processors.values_list("name", "region", "safeguards"))
        after = sorted((p["name"], p["region"], p["safeguards"]) for p in processors)
        if before != after:
            activity.processors.all().delete()
            for fields in processors:
                processor = Processor(activity=activity, **fields)
                processor.full_clean()
                processor.save()
            changed.append("processors")
        audit.record(by, "processing.update", target=activity, details={"changed": changed})
    return activity
