"""Which personal fields of an entry erasure or retention blanks, and how the trail records it.

Pure rules, no writes (audit.services.personal_details writes). Field names are those of
audit.chain: "actor_label", "target_label", "ip_address" and "details.<key>".
"""

import bisect
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import Q

from audit.chain import DETAILS_PREFIX, blank_value, personal_values
from datamap import Identifiers
from datamap.pseudonymise import is_ip_address

# What a label holds when no person acted.
SYSTEM_LABEL = "system"
# Text that names no one: codes ("in_progress", "user.suspend"), references ("RR-2026-000002"),
# numbers and ISO dates. An IP address looks like a code, so it is checked apart.
IMPERSONAL_TEXT = re.compile(
    r"[a-z0-9]+(?:[_.:/-][a-z0-9]+)*"
    r"|[A-Z0-9]+(?:-[A-Z0-9]+)*"
    r"|\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?"
)
# A name shorter than this is too likely to be part of other words to blank text by.
MIN_NAME_LENGTH = 3


def impersonal(value) -> bool:
    """Whether a details value plainly names no one: numbers, yes/no, codes, references,
    dates, and lists or mappings of those. Anything else (free text, names, addresses) is
    treated as personal."""
    if value is None or isinstance(value, bool | int | float):
        return True
    if isinstance(value, str):
        return bool(IMPERSONAL_TEXT.fullmatch(value)) and not is_ip_address(value)
    if isinstance(value, list):
        return all(impersonal(item) for item in value)
    if isinstance(value, dict):
        return all(impersonal(key) and impersonal(item) for key, item in value.items())
    return False


def _present(entry) -> dict:
    """The entry's personal fields that still hold something to blank."""
    return {
        name: value
        for name, value in personal_values(entry).items()
        if name.startswith(DETAILS_PREFIX) or value != blank_value(name)
    }


def expired_fields(entry) -> set[str]:
    """Retention: every personal field of the entry, but details that plainly name no one and
    the label "system"."""
    fields = set()
    for name, value in _present(entry).items():
        if name.startswith(DETAILS_PREFIX):
            if not impersonal(value):
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
    that is not plainly impersonal."""
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
            named = (acted or target) and not impersonal(value)
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
