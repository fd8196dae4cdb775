"""Records reads: the record of processing, each activity with the data-map entries of its
categories."""

from dataclasses import dataclass

from datamap import Category, registry
from datamap.entries import Entry
from datamap.presentation import entry_title, erasure_words, fields_in_words
from records.models import ProcessingActivity
from retention.labels import category_label
from retention.models import RetentionPolicy

CATEGORY_VALUES = frozenset(category.value for category in Category)


@dataclass(frozen=True)
class HeldData:
    entry: Entry
    policy: RetentionPolicy | None

    @property
    def retention(self) -> str:
        if self.policy is None:
            return f"{category_label(self.entry.retention_category)}: no policy set"
        return f"{self.policy.label}: {self.policy.kept}"

    @property
    def title(self) -> str:
        return entry_title(self.entry)

    @property
    def fields(self) -> list[str]:
        return fields_in_words(self.entry)

    @property
    def erasure(self) -> str:
        return erasure_words(self.entry)


@dataclass(frozen=True)
class ActivityRecord:
    activity: ProcessingActivity
    held: list[HeldData]


def record_of_processing() -> list[ActivityRecord]:
    """Every activity, its processors, and what the data map holds in its categories.

    Three queries whatever the size: activities, their processors, the retention policies.
    """
    policies = {policy.category: policy for policy in RetentionPolicy.objects.all()}
    records = []
    for activity in ProcessingActivity.objects.prefetch_related("processors"):
        held = [
            HeldData(entry, policies.get(entry.retention_category))
            for value in activity.data_categories
            if value in CATEGORY_VALUES
            for entry in registry.entries_in_category(Category(value))
        ]
        records.append(ActivityRecord(activity, held))
    return records


def uncovered_categories(records: list[ActivityRecord] | None = None) -> set[str]:
    """Data-map categories in use that no processing activity covers."""
    if records is None:
        every = ProcessingActivity.objects.values_list("data_categories", flat=True)
    else:
        every = [record.activity.data_categories for record in records]
    covered = set()
    for categories in every:
        covered.update(categories)
    return {str(entry.category) for entry in registry.entries()} - covered


def record_csv_rows(records: list[ActivityRecord]):
    header = [
        "Activity",
        "Purpose",
        "Legal basis",
        "Legitimate interest",
        "Balancing test",
        "Categories of people",
        "Categories of data",
        "Data held",
        "Retention",
        "Recipients",
        "Location",
        "Processors",
        "Security measures",
    ]
    rows = []
    for record in records:
        activity = record.activity
        rows.append(
            [
                activity.name,
                activity.purpose,
                activity.get_legal_basis_display(),
                activity.get_legitimate_interest_display(),
                activity.balancing_summary,
                activity.people_categories,
                "; ".join(activity.category_labels()),
                "; ".join(f"{h.title} ({', '.join(h.fields)})" for h in record.held),
                "; ".join(sorted({h.retention for h in record.held})),
                activity.recipients,
                activity.get_location_display(),
                "; ".join(
                    f"{p.name} ({p.region}; {p.safeguards})" for p in activity.processors.all()
                ),
                activity.security_measures,
            ]
        )
    return header, rows


def purpose_legal_bases() -> dict[str, str]:
    """Each purpose's legal basis as the record of processing gives it (one query)."""
    return dict(ProcessingActivity.objects.values_list("slug", "legal_basis"))
