from django.core.exceptions import ImproperlyConfigured

from datamap.entries import IDENTIFIER_KINDS, Category, Entry, LegalBasis


class DataMap:
    def __init__(self) -> None:
        self._entries: dict[str, Entry] = {}
        self._exempt: dict[str, str] = {}

    def register(self, entry: Entry) -> Entry:
        if entry.name in self._entries:
            raise ImproperlyConfigured(f"Data-map entry {entry.name!r} is declared twice.")
        unknown = set(entry.identifiers.values()) - set(IDENTIFIER_KINDS)
        if unknown:
            raise ImproperlyConfigured(
                f"Data-map entry {entry.name!r} declares unknown identifiers: {sorted(unknown)}."
            )
        self._entries[entry.name] = entry
        return entry

    def exempt(self, model: str, reason: str) -> None:
        """Declare that a model the detector flags holds no personal data, and why."""
        if not reason.strip():
            raise ImproperlyConfigured(f"Exempting {model} from the data map needs a reason.")
        self._exempt[model.lower()] = reason

    def entries(self) -> list[Entry]:
        return list(self._entries.values())

    def entry(self, name: str) -> Entry:
        return self._entries[name]

    def entries_for_model(self, model) -> list[Entry]:
        label = model._meta.label_lower
        return [e for e in self._entries.values() if e.model.lower() == label]

    def entries_in_category(self, category: Category) -> list[Entry]:
        return [e for e in self._entries.values() if e.category == category]

    def entries_in_retention_category(self, retention_category: str) -> list[Entry]:
        return [e for e in self._entries.values() if e.retention_category == retention_category]

    def retention_categories(self) -> list[str]:
        return sorted({e.retention_category for e in self._entries.values()})

    def exemption_reason(self, model) -> str | None:
        return self._exempt.get(model._meta.label_lower)

    def exemptions(self) -> dict[str, str]:
        return dict(self._exempt)


registry = DataMap()
register = registry.register
exempt = registry.exempt


def register_credential(*, labels: dict[str, str], **entry) -> Entry:
    """Register a credential people sign in or connect with (passkeys, authenticator apps, API
    keys, provisioning tokens): kept as long as the account, for the security of data and
    systems; the labelled fields are the ones exported."""
    return register(
        Entry(
            **entry,
            labels=labels,
            export_fields=tuple(labels),
            retention_category="account",
            legal_basis=LegalBasis.LEGITIMATE_INTERESTS,
            legal_basis_detail="Security of data and systems.",
        )
    )
