"""Records writes: a disclosure is recorded (one call each time personal data leaves the
company), the DPO edits a processing activity and keeps the processor register."""

from collections.abc import Iterable
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F
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
    repeat_key: str = "",
) -> Disclosure:
    """Record a disclosure and the people it concerned; the audit trail gets an entry too.

    With a ``repeat_key`` (the same report, as the discloser names it) a person disclosing it
    again the same UK day adds a view to the day's disclosure instead of a new one.
    """
    is_user = by is not None and getattr(by, "pk", None) is not None
    if repeat_key and is_user:
        key = f"{timezone.localdate().isoformat()} {repeat_key}"[:250]
        try:
            with transaction.atomic():
                again = _disclosure_seen_again(key=key, by=by)
                if again is not None:
                    return again
                return _disclosure_create(
                    recipient_type=recipient_type,
                    recipient=recipient,
                    legal_basis=legal_basis,
                    categories=categories,
                    description=description,
                    subject_user_ids=subject_user_ids,
                    organisation=organisation,
                    by=by,
                    by_label=by_label,
                    reference=reference,
                    repeat_key=key,
                )
        except IntegrityError:
            # Two first views at once: the other one's disclosure is there now; count this view.
            with transaction.atomic():
                return _disclosure_seen_again(key=key, by=by)
    with transaction.atomic():
        return _disclosure_create(
            recipient_type=recipient_type,
            recipient=recipient,
            legal_basis=legal_basis,
            categories=categories,
            description=description,
            subject_user_ids=subject_user_ids,
            organisation=organisation,
            by=by,
            by_label=by_label,
            reference=reference,
        )


def _disclosure_seen_again(*, key: str, by) -> Disclosure | None:
    disclosure = (
        Disclosure.objects.select_for_update().filter(disclosed_by=by, repeat_key=key).first()
    )
    if disclosure is None:
        return None
    Disclosure.objects.filter(pk=disclosure.pk).update(views=F("views") + 1)
    disclosure.refresh_from_db(fields=["views"])
    audit.record(by, "disclosure.repeat", target=disclosure, details={"views": disclosure.views})
    return disclosure


def _disclosure_create(
    *,
    recipient_type,
    recipient,
    legal_basis,
    categories,
    description,
    subject_user_ids,
    organisation,
    by,
    by_label,
    reference,
    repeat_key="",
) -> Disclosure:
    subject_ids = sorted({int(pk) for pk in subject_user_ids if pk is not None})
    is_user = by is not None and getattr(by, "pk", None) is not None
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
        repeat_key=repeat_key,
    )
    # The database holds the one-a-day constraint; checking it here would cost a query.
    disclosure.full_clean(validate_constraints=False)
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


def _fields_set(record, values: dict, names: Iterable[str]) -> list[str]:
    """Set the ``names`` that ``values`` gives and that differ; the names of those changed."""
    changed = []
    for name in names:
        if name in values and getattr(record, name) != values[name]:
            setattr(record, name, values[name])
            changed.append(name)
    return changed


def processing_activity_update(
    *, activity: ProcessingActivity, changes: dict, processors: Iterable[Processor], by
) -> ProcessingActivity:
    """Change the activity's fields and the register's processors it uses, all or nothing;
    audited."""
    with transaction.atomic():
        activity = ProcessingActivity.objects.select_for_update().get(pk=activity.pk)
        changed = _fields_set(activity, changes, EDITABLE_FIELDS)
        activity.full_clean()
        activity.save()
        wanted = {processor.pk for processor in processors}
        if set(activity.processors.values_list("pk", flat=True)) != wanted:
            activity.processors.set(wanted)
            changed.append("processors")
        audit.record(by, "processing.update", target=activity, details={"changed": changed})
    return activity


PROCESSOR_FIELDS = (
    "name",
    "service",
    "data_categories",
    "storage_countries",
    "backup_countries",
    "agreement_date",
    "no_own_use_clause",
    "sub_processors",
    "transfers",
)


def processor_save(
    *,
    processor: Processor | None = None,
    fields: dict[str, Any],
    activities: Iterable[ProcessingActivity],
    by,
) -> Processor:
    """Add a provider to the register, or change one; refused (ValidationError) when a place
    outside the UK has no safeguard, or the agreement is missing. Audited with what changed."""
    with transaction.atomic():
        creating = processor is None
        if creating:
            processor = Processor()
        else:
            processor = Processor.objects.select_for_update().get(pk=processor.pk)
        changed = _fields_set(processor, fields, PROCESSOR_FIELDS)
        processor.full_clean()
        processor.save()
        wanted = {activity.pk for activity in activities}
        if set(processor.activities.values_list("pk", flat=True)) != wanted:
            processor.activities.set(wanted)
            changed.append("activities")
        details = {"name": processor.name, "changed": changed, "abroad": processor.places_abroad()}
        if creating:
            audit.record(by, "processor.create", target=processor, details=details)
        else:
            audit.record(by, "processor.update", target=processor, details=details)
    return processor
