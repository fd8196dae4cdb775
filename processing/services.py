"""Record-of-processing writes: the DPO edits an activity and its processors."""

from django.db import transaction

import audit
from processing.models import ProcessingActivity, Processor

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
