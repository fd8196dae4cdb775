"""Records reads: the record of processing, each activity with the data-map entries of its
categories and its processors; the processor register, in words."""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from datamap import Category, registry
from datamap.entries import Entry
from datamap.presentation import entry_title, erasure_words, fields_in_words
from records.models import ProcessingActivity, Processor, country_name
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
class Transfer:
    """A place outside the UK a provider's data is in, and what makes sending it there lawful."""

    country: str
    safeguard: str  # "" when none is recorded (only a row saved before the rule can lack one)
    date: datetime.date | None

    def __str__(self) -> str:
        if not self.safeguard:
            return f"{self.country}: no safeguard recorded"
        return f"{self.country}: {self.safeguard}, {self.date:%-d %B %Y}"


@dataclass(frozen=True)
class SubProcessor:
    name: str
    service: str
    country: str


@dataclass(frozen=True)
class RegisterEntry:
    """One provider of the register, every value in words, as pages and the notice show it."""

    processor: Processor
    name: str
    service: str
    categories: list[str]
    storage: list[str]
    backup: list[str]
    transfers: list[Transfer]
    sub_processors: list[SubProcessor]
    agreement_date: datetime.date | None
    no_own_use_clause: bool
    missing: list[str]  # what the DPO still has to record, in words

    @property
    def abroad(self) -> bool:
        return bool(self.transfers)

    def receives_any(self, categories: Iterable[str]) -> bool:
        """Whether the provider receives data of any of these data-map categories."""
        return bool(set(_category_words(categories)) & set(self.categories))

    @property
    def places(self) -> str:
        """Where the data is, in a sentence: "Stores in …; backs up in … and …"."""
        said = f"Stores in {_and(_in_sentence(self.storage)) or 'a place not recorded'}"
        if self.backup:
            said += f"; backs up in {_and(_in_sentence(self.backup))}"
        return said

    @property
    def safeguards(self) -> str:
        if not self.transfers:
            return "None needed: the data stays in the United Kingdom"
        return "; ".join(str(transfer) for transfer in self.transfers)


_TAKE_THE = {"Netherlands", "Philippines", "Bahamas", "Gambia", "Maldives", "Isle of Man"}


def _in_sentence(countries: list[str]) -> list[str]:
    """Country names as a sentence says them: "in the Netherlands", "in Ireland"."""
    return [
        f"the {name}"
        if name in _TAKE_THE
        or name.startswith("United ")
        or name.endswith((" Republic", "Islands"))
        else name
        for name in countries
    ]


def _and(words: list[str]) -> str:
    if len(words) < 2:
        return "".join(words)
    return f"{', '.join(words[:-1])} and {words[-1]}"


def _category_words(values) -> list[str]:
    return [Category(value).label for value in values if value in CATEGORY_VALUES]


def register_entry(processor: Processor) -> RegisterEntry:
    transfers = []
    for code in processor.places_abroad():
        safeguard = processor.safeguard_of(code)
        label, day = safeguard if safeguard else ("", None)
        transfers.append(Transfer(country_name(code), label, day))
    subs = [
        SubProcessor(
            sub.get("name", ""), sub.get("service", ""), country_name(sub.get("country", ""))
        )
        for sub in processor.sub_processors
        if isinstance(sub, dict)
    ]
    missing = []
    if not processor.service.strip():
        missing.append("what it does for us")
    if not processor.storage_countries:
        missing.append("where it stores the data")
    if processor.agreement_date is None:
        missing.append("the date of its data processing agreement")
    if not processor.no_own_use_clause:
        missing.append("that its agreement forbids use for its own purposes")
    missing += [f"a safeguard for {t.country}" for t in transfers if not t.safeguard]
    return RegisterEntry(
        processor=processor,
        name=processor.name,
        service=processor.service,
        categories=_category_words(processor.data_categories),
        storage=[country_name(code) for code in processor.storage_countries],
        backup=[country_name(code) for code in processor.backup_countries],
        transfers=transfers,
        sub_processors=subs,
        agreement_date=processor.agreement_date,
        no_own_use_clause=processor.no_own_use_clause,
        missing=missing,
    )


def processor_register(*, categories: Iterable[str] | None = None) -> list[RegisterEntry]:
    """The register, ordered by name: who, what for, which data, where, under which safeguard.

    With ``categories``, only the providers that receive data of at least one of them (the
    recipients of one person's data, for their access package). One query.
    """
    entries = [register_entry(p) for p in Processor.objects.order_by("name", "id")]
    if categories is None:
        return entries
    return [entry for entry in entries if entry.receives_any(categories)]


@dataclass(frozen=True)
class Recipients:
    processors: list[RegisterEntry]

    @property
    def transfers(self) -> list[RegisterEntry]:
        return [entry for entry in self.processors if entry.abroad]


def processors_receiving(categories: Iterable[str]) -> Recipients:
    """The providers that received data of these categories (one person's, for their access
    package), and those of them that keep it outside the UK."""
    return Recipients(processor_register(categories=categories))


@dataclass(frozen=True)
class ActivityRecord:
    activity: ProcessingActivity
    held: list[HeldData]
    processors: list[RegisterEntry]

    @property
    def abroad(self) -> list[RegisterEntry]:
        return [entry for entry in self.processors if entry.abroad]


def record_of_processing() -> list[ActivityRecord]:
    """Every activity, its processors from the register, and what the data map holds in its
    categories.

    Three queries whatever the size: activities, their processors, the retention policies.
    """
    policies = {policy.category: policy for policy in RetentionPolicy.objects.all()}
    entries: dict[int, RegisterEntry] = {}  # a provider several activities use, built once
    records = []
    for activity in ProcessingActivity.objects.prefetch_related("processors"):
        held = [
            HeldData(entry, policies.get(entry.retention_category))
            for value in activity.data_categories
            if value in CATEGORY_VALUES
            for entry in registry.entries_in_category(Category(value))
        ]
        processors = []
        for processor in activity.processors.all():
            if processor.pk not in entries:
                entries[processor.pk] = register_entry(processor)
            processors.append(entries[processor.pk])
        records.append(ActivityRecord(activity, held, processors))
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
        "Processed in",
        "Processors",
        "Storage and backup",
        "Transfers outside the UK",
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
                "; ".join(f"{p.name} ({p.service})" for p in record.processors),
                "; ".join(f"{p.name}: {p.places}" for p in record.processors),
                "; ".join(f"{p.name}: {p.safeguards}" for p in record.abroad) or "None",
                activity.security_measures,
            ]
        )
    return header, rows


def purpose_legal_bases() -> dict[str, str]:
    """Each purpose's legal basis as the record of processing gives it (one query)."""
    return dict(ProcessingActivity.objects.values_list("slug", "legal_basis"))
