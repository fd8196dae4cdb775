"""Which personal fields of an entry erasure or retention blanks, and how the trail records it.

Pure rules, no writes (audit.services.personal_details writes). Field names are those of
audit.chain: "actor_label", "target_label", "ip_address" and "details.<key>".
"""

import bisect
import functools
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.apps import apps
from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import Q

from audit.chain import DETAILS_PREFIX, blank_value, personal_values
from audit.labels import ACTION_LABELS
from datamap import Identifiers, registry

# What a label holds when no person acted.
SYSTEM_LABEL = "system"
# The entry that records a blanking: which entries, which fields, and why.
ERASED_ACTION = "audit.personal_details_erased"
# Text whose shape alone names no one: references ("RR-2026-000002", "BR-12"), ISO dates and
# times, UUIDs and hex digests. A lower-case word is not among them: "ann", "jdoe" and
# "ann.able" are as much names as codes, so a code is kept only when the project knows it
# (``known_codes``). Digits alone are not either: a telephone number is digits.
IMPERSONAL_TEXT = re.compile(
    r"[A-Z]{2,4}-\d+(?:-\d+)*"
    r"|\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?"
    r"|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
    r"|[0-9a-f]{32,128}"
)
# Detail keys whose values the code writes from its own vocabulary, never a person's words,
# though not from a model's choices: where a change came from ("source", "via"), retention
# categories, field names, the viewer's page, a view's fixed description ("seen"), a
# self-check's display names ("trigger", "failed"), a backup's table names.
IMPERSONAL_KEYS = frozenset(
    {
        "categories",
        "category",
        "failed",
        "fields",
        "page",
        "seen",
        "source",
        "tables",
        "trigger",
        "via",
    }
)
# The same, for one action only: the record of a blanking holds codes and ids (verification
# reads its "blanked" groups, so retention must never blank them).
IMPERSONAL_KEYS_OF = {ERASED_ACTION: frozenset({"blanked", "reason"})}
# Keys inside a details value are the app's own names, as top-level keys are (a record of a
# blanking names them): kept when shaped like one.
DETAIL_KEY = re.compile(r"[a-z][a-z0-9_]*")
# A name shorter than this is too likely to be part of other words to blank text by.
MIN_NAME_LENGTH = 3


@functools.cache
def known_codes() -> frozenset[str]:
    """The project's own words: action codes, the values of every model field's choices, model
    labels and field names, and the data map's entry names."""
    codes = set(ACTION_LABELS)
    for model in apps.get_models():
        codes.update((model._meta.label, model._meta.label_lower))
        for field in model._meta.get_fields():
            codes.add(field.name)
            for value, _ in getattr(field, "flatchoices", None) or ():
                if isinstance(value, str):
                    codes.add(value)
    codes.update(entry.name for entry in registry.entries())
    return frozenset(codes)


def impersonal(value) -> bool:
    """Whether a details value provably names no one: numbers, yes/no, references, dates, the
    project's codes, and lists or mappings of those. Anything else (free text, names,
    addresses, a word the project does not know) is treated as personal."""
    if value is None or isinstance(value, bool | int | float):
        return True
    if isinstance(value, str):
        return value in known_codes() or bool(IMPERSONAL_TEXT.fullmatch(value))
    if isinstance(value, list):
        return all(impersonal(item) for item in value)
    if isinstance(value, dict):
        return all(
            isinstance(key, str) and DETAIL_KEY.fullmatch(key) and impersonal(item)
            for key, item in value.items()
        )
    return False


def impersonal_detail(action: str, key: str, value) -> bool:
    """Whether the detail ``key`` of an entry of ``action`` may stay when the rest goes."""
    return key in IMPERSONAL_KEYS or key in IMPERSONAL_KEYS_OF.get(action, ()) or impersonal(value)


def _present(entry) -> dict:
    """The entry's personal fields that still hold something to blank."""
    return {
        name: value
        for name, value in personal_values(entry).items()
        if name.startswith(DETAILS_PREFIX) or value != blank_value(name)
    }


def expired_fields(entry) -> set[str]:
    """Retention: every personal field of the entry, but details that provably name no one and
    the label "system"."""
    fields = set()
    for name, value in _present(entry).items():
        if name.startswith(DETAILS_PREFIX):
            if not impersonal_detail(entry.action, name.removeprefix(DETAILS_PREFIX), value):
                fields.add(name)
        elif not (name == "actor_label" and value == SYSTEM_LABEL):
            fields.add(name)
    return fields


@dataclass(frozen=True)
class _Patterns:
    emails: tuple[str, ...]
    names: re.Pattern | None
    ips: re.Pattern | None

    def found_in(self, text: str) -> bool:
        lowered = text.lower()
        return (
            any(email in lowered for email in self.emails)
            or bool(self.names and self.names.search(text))
            or bool(self.ips and self.ips.search(text))
        )


def _patterns(identifiers: Identifiers) -> _Patterns:
    names = sorted(n for n in identifiers.names if len(n) >= MIN_NAME_LENGTH)
    ips = sorted(identifiers.ip_addresses)
    return _Patterns(
        emails=tuple(sorted(identifiers.emails)),
        names=re.compile(
            r"(?<!\w)(?:" + "|".join(re.escape(n) for n in names) + r")(?!\w)", re.IGNORECASE
        )
        if names
        else None,
        # Not inside a longer address: 10.0.0.1 is not in 110.0.0.12.
        ips=re.compile(
            r"(?<![\w.:])(?:" + "|".join(re.escape(ip) for ip in ips) + r")(?![\w:]|\.\w)",
            re.IGNORECASE,
        )
        if ips
        else None,
    )


def _text(value) -> str:
    return value if isinstance(value, str) else json.dumps(value, cls=DjangoJSONEncoder)


def _about(entry, identifiers: Identifiers) -> tuple[bool, bool]:
    """Whether the subject acted, and whether they are the target."""
    acted = entry.actor_id is not None and entry.actor_id in identifiers.user_ids
    target = entry.target_type == settings.AUTH_USER_MODEL and any(
        entry.target_id == str(pk) for pk in identifiers.user_ids
    )
    return acted, target


def subject_fields(entry, identifiers: Identifiers, patterns: _Patterns | None = None) -> set[str]:
    """Erasure: the fields of the entry that name the subject. Their label when they acted or
    are the target, their IP address when they acted (or it is one of theirs), and every
    value that holds one of their identifiers; in an entry about them, also every detail
    that is not provably impersonal."""
    patterns = patterns or _patterns(identifiers)
    acted, target = _about(entry, identifiers)
    fields = set()
    for name, value in _present(entry).items():
        if name == "actor_label":
            named = acted or value.lower() in identifiers.emails
        elif name == "target_label":
            named = target
        elif name == "ip_address":
            named = acted or value in identifiers.ip_addresses
        else:
            key = name.removeprefix(DETAILS_PREFIX)
            named = (acted or target) and not impersonal_detail(entry.action, key, value)
        if named or (value is not None and patterns.found_in(_text(value))):
            fields.add(name)
    return fields


def candidates(identifiers: Identifiers) -> Q:
    """The entries that may name the subject, for the database to narrow down."""
    ids = list(identifiers.user_ids)
    q = Q(actor_id__in=ids) | Q(
        target_type=settings.AUTH_USER_MODEL, target_id__in=[str(pk) for pk in ids]
    )
    if identifiers.ip_addresses:
        q |= Q(ip_address__in=sorted(identifiers.ip_addresses))
    texts = [
        *identifiers.emails,
        *(n for n in identifiers.names if len(n) >= MIN_NAME_LENGTH),
        *identifiers.ip_addresses,
    ]
    for text in sorted(texts):
        q |= (
            Q(actor_label__icontains=text)
            | Q(target_label__icontains=text)
            | Q(details__icontains=text)
        )
    return q


def fields_naming(identifiers: Identifiers):
    """``subject_fields`` for many entries, its patterns compiled once."""
    patterns = _patterns(identifiers)
    return lambda entry: subject_fields(entry, identifiers, patterns)


# --- The record of a blanking -------------------------------------------------------------


def _ranges(ids: Iterable[int]) -> list[list[int]]:
    """[1, 2, 3, 7] → [[1, 3], [7, 7]]."""
    ranges: list[list[int]] = []
    for entry_id in sorted(ids):
        if ranges and entry_id == ranges[-1][1] + 1:
            ranges[-1][1] = entry_id
        else:
            ranges.append([entry_id, entry_id])
    return ranges


def blanked_groups(blanked: Mapping[int, set[str]]) -> list[dict]:
    """{entry id: fields} → [{"fields": [...], "ids": [[first, last], ...]}], entries with the
    same fields grouped into ranges of ids: what the record of a blanking holds."""
    by_fields: dict[tuple[str, ...], list[int]] = {}
    for entry_id, fields in blanked.items():
        by_fields.setdefault(tuple(sorted(fields)), []).append(entry_id)
    return [
        {"fields": list(fields), "ids": _ranges(ids)} for fields, ids in sorted(by_fields.items())
    ]


@dataclass(frozen=True)
class Coverage:
    """What one record of a blanking allows: for each group, its fields and its id ranges."""

    groups: tuple[tuple[frozenset[str], tuple[int, ...], tuple[int, ...]], ...]

    @classmethod
    def of(cls, details: Mapping) -> "Coverage":
        groups = []
        for group in details.get("blanked") or ():
            try:
                ranges = sorted((int(first), int(last)) for first, last in group["ids"])
                fields = frozenset(str(name) for name in group["fields"])
            except (KeyError, TypeError, ValueError):
                continue  # not what the app writes: it covers nothing
            groups.append(
                (fields, tuple(first for first, _ in ranges), tuple(last for _, last in ranges))
            )
        return cls(tuple(groups))

    def covers(self, entry_id: int, field: str) -> bool:
        for fields, firsts, lasts in self.groups:
            if field not in fields:
                continue
            at = bisect.bisect_right(firsts, entry_id) - 1
            if at >= 0 and entry_id <= lasts[at]:
                return True
        return False
