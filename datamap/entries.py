from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cached_property
from typing import Any

from django.apps import apps
from django.db import models

from common import present


class Category(StrEnum):
    CONTACT = "contact"
    LOGIN = "login"
    USAGE = "usage"
    ENQUIRY = "enquiry"
    CONSENT = "consent"
    SECURITY = "security"
    RIGHTS_REQUEST = "rights_request"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ").capitalize()


class LegalBasis(StrEnum):
    CONTRACT = "contract"
    LEGITIMATE_INTERESTS = "legitimate_interests"
    LEGAL_OBLIGATION = "legal_obligation"
    CONSENT = "consent"

    @property
    def label(self) -> str:
        return {
            "contract": "Performance of a contract",
            "legitimate_interests": "Legitimate interests",
            "legal_obligation": "Legal obligation",
            "consent": "Consent",
        }[self.value]


@dataclass(frozen=True)
class Subject:
    """One person, as the data map finds them: their user ids and their e-mail addresses.

    A former user or a member of the public may have no user id left, only an e-mail.
    """

    user_ids: frozenset[int] = frozenset()
    emails: frozenset[str] = frozenset()
    # Their accounts' organisations (empty: none), which the tables sharded by organisation
    # name in their queries. None: not known, and each such entry looks it up again, so
    # whoever builds a subject from accounts passes them along, read with the accounts.
    organisation_ids: frozenset[int] | None = None

    @classmethod
    def of(cls, *, user_ids=(), emails=(), organisation_ids=None) -> "Subject":
        return cls(
            user_ids=frozenset(int(pk) for pk in user_ids),
            emails=frozenset(e.strip().lower() for e in emails if e),
            organisation_ids=None
            if organisation_ids is None
            else frozenset(int(pk) for pk in organisation_ids if pk is not None),
        )


@dataclass(frozen=True)
class Identifiers:
    """What names one person in free text: the subject's user ids and e-mail addresses, and
    the names and IP addresses the data map holds for them (``Entry.identifiers``)."""

    user_ids: frozenset[int] = frozenset()
    emails: frozenset[str] = frozenset()
    names: frozenset[str] = frozenset()
    ip_addresses: frozenset[str] = frozenset()


# The kinds of identifier an entry may declare a field as (``Entry.identifiers``).
IDENTIFIER_KINDS = ("email", "name", "ip_address")

# A replacement is a value, or a callable taking the row and returning one.
Replacement = Any | Callable[[models.Model], Any]


@dataclass(frozen=True)
class Delete:
    """Erasure deletes the subject's rows."""

    def describe(self) -> str:
        return "Deleted"


@dataclass(frozen=True)
class Anonymise:
    """Erasure overwrites these fields; the rest of the row stays for aggregate figures."""

    replacements: Mapping[str, Replacement]

    def describe(self) -> str:
        return "Anonymised: " + ", ".join(sorted(self.replacements))


@dataclass(frozen=True)
class Redact:
    """Erasure removes the subject's personal details from rows that stay as the record of
    events (an append-only trail); the retention schedule removes every personal detail of
    expired rows. The owning app holds the how (the data map imports no app):

    - ``of_subject(identifiers, because, dry_run)`` removes the subject's details wherever
      the rows name them and returns how many rows it changed (would change, on a dry run);
    - ``of_rows(queryset, because)`` removes every personal detail of those rows;
    - ``done()`` is a Q of the rows with nothing left to remove, which expiry skips.

    ``because`` says why, in codes ({"reason": "erasure", "rights_request": "RR-…"}), for the
    record the owning app keeps of each removal.
    """

    of_subject: Callable[[Identifiers, Mapping[str, Any], bool], int]
    of_rows: Callable[[models.QuerySet, Mapping[str, Any]], int]
    done: Callable[[], models.Q]
    words: str = "Personal details removed, events kept"

    def describe(self) -> str:
        return self.words


@dataclass(frozen=True)
class Retain:
    """Erasure keeps the rows, for the written reason (an exception under Article 17(3))."""

    reason: str

    def describe(self) -> str:
        return f"Kept: {self.reason}"


@dataclass(frozen=True)
class Entry:
    """One kind of personal data held in one model."""

    name: str
    model: str  # "app_label.ModelName", resolved lazily so that entries import no models
    category: Category
    description: str
    subject: Callable[[Subject], models.Q]
    export_fields: tuple[str, ...]
    erasure: Delete | Anonymise | Redact | Retain
    retention_category: str
    legal_basis: LegalBasis
    legal_basis_detail: str = ""
    # The field the retention clock runs from, for event-like data.
    retention_field: str | None = None
    export_note: str = ""
    # Erasure runs in ascending order, so that rows pointing at a user go before the user.
    erasure_order: int = 100
    # True when ``subject`` follows a to-many relation, which would repeat rows.
    joins_many: bool = False
    # The column naming the organisation of a table sharded by organisation (usage events and
    # rollups; docs/scaling.md): ``subject`` names it, and purges go one organisation at a time.
    organisation_field: str = ""
    # What people read (datamap.presentation): a title for the entry, a label for each
    # export field, and the words for the codes a field stores ({field: {code: words}}).
    title: str = ""
    labels: Mapping[str, str] = field(default_factory=dict)
    value_labels: Mapping[str, Mapping[Any, str]] = field(default_factory=dict)
    extra: Mapping[str, Any] = field(default_factory=dict)
    # Fields that identify the person in free text elsewhere ({field: "email" | "name" |
    # "ip_address"}), gathered before an erasure for the entries whose rule is ``Redact``.
    identifiers: Mapping[str, str] = field(default_factory=dict)

    @cached_property
    def model_class(self) -> type[models.Model]:
        return apps.get_model(self.model)

    def field(self, path: str) -> models.Field:
        """The model field an export path ("request__reference", "breach_id") ends at."""
        model = self.model_class
        *hops, last = path.split("__")
        for hop in hops:
            model = model._meta.get_field(hop).related_model
        return model._meta.get_field(last)

    def label(self, path: str) -> str:
        """A field's heading in words: the entry's label, or its name made readable."""
        return self.labels.get(path) or present.humanise(path.split("__")[-1])

    @property
    def erasure_in_words(self) -> str:
        """What erasure does to the entry, with fields by their labels."""
        rule = self.erasure
        if isinstance(rule, Anonymise):
            fields = sorted({self._erased(name) for name in rule.replacements})
            return "Anonymised: " + ", ".join(fields) + " removed"
        return rule.describe()

    def _erased(self, name: str) -> str:
        if self.field(name).is_relation:
            return "the link to the person"
        label = self.label(name)
        return label if label.startswith("IP") else label.lower()

    def rows_of(self, subject: Subject) -> models.QuerySet:
        manager = self.model_class._default_manager
        rows = manager.filter(self.subject(subject))
        if self.joins_many:
            # Each row once, in a form that update() and delete() still accept.
            return manager.filter(pk__in=rows.values("pk"))
        return rows
