"""The chain: each entry's MAC covers its content and the previous entry's MAC.

Every entry is written under scheme 3 (``Scheme.COMMITTED``): an HMAC-SHA256 keyed by
settings.AUDIT_HMAC_KEY (never stored in the database) over the entry's non-personal fields
and a *commitment* of each personal field, never the personal value itself. The personal
fields are the actor's and the target's labels, the IP address and each top-level key of the
details, one by one. A commitment is an HMAC-SHA256, under a key derived from AUDIT_HMAC_KEY,
of the field's name, the entry's own random salt and the value: it reveals nothing of the
value, and nobody without the key can find a value that matches it.

Erasure and retention blank personal values and keep their commitments, so the chain still
verifies; a value changed rather than blanked no longer matches its commitment, and a blanked
value is accepted only where the trail records the blanking (audit.services.verification).

Schemes 1 (unkeyed SHA-256, before the key existed) and 2 (HMAC over the values themselves)
are the chain's past: audit migration 0009 (with its own frozen copy of these functions)
verified every such entry under its own scheme and re-chained it under scheme 3, keeping its
old MAC in ``legacy_hash``. ``entry_digest`` still computes them for the tests and benches
that write a trail as the previous release left it.
"""

import functools
import hashlib
import hmac
import json
from datetime import datetime

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models

GENESIS_HASH = "0" * 64
# The personal fields with a column of their own; each key of ``details`` is one more,
# named DETAILS_PREFIX + key.
LABEL_FIELDS = ("actor_label", "target_label")
PERSONAL_COLUMNS = (*LABEL_FIELDS, "ip_address")
DETAILS_PREFIX = "details."
# What the MAC covers besides the commitments and the scheme.
CHAINED_FIELDS = (
    "created_at",
    "actor_id",
    "action",
    "target_type",
    "target_id",
    "prev_hash",
    "salt",
    "legacy_hash",
)
# What schemes 1 and 2 hashed: every value, personal ones included.
LEGACY_HASHED_FIELDS = (
    "created_at",
    "actor_id",
    "actor_label",
    "action",
    "target_type",
    "target_id",
    "target_label",
    "details",
    "ip_address",
    "prev_hash",
)
COMMITMENT_KEY_LABEL = b"privacydesk audit trail: commitment key"


class Scheme(models.IntegerChoices):
    SHA256 = 1, "SHA-256, unkeyed (before the cut-over)"
    HMAC_SHA256 = 2, "HMAC-SHA256, keyed"
    COMMITTED = 3, "HMAC-SHA256, keyed, over commitments of personal details"


def _json(value) -> str:
    return json.dumps(
        value, cls=DjangoJSONEncoder, sort_keys=True, separators=(",", ":"), ensure_ascii=False
    )


def _key(key: str | None) -> str:
    return settings.AUDIT_HMAC_KEY if key is None else key


@functools.lru_cache(maxsize=4)
def _keyed(key: str) -> "hmac.HMAC":
    # A keyed HMAC before any message, copied for each one: the key is set up once.
    return hmac.new(key.encode(), digestmod=hashlib.sha256)


def _mac(message: str, key: str | None) -> str:
    mac = _keyed(_key(key)).copy()
    mac.update(message.encode())
    return mac.hexdigest()


@functools.lru_cache(maxsize=4)
def _committing(key: str) -> "hmac.HMAC":
    # A key of its own for commitments, derived from the chain's key with HMAC as the PRF.
    derived = hmac.new(key.encode(), COMMITMENT_KEY_LABEL, hashlib.sha256).digest()
    return hmac.new(derived, digestmod=hashlib.sha256)


def commitment(name: str, salt: str, value, *, key: str | None = None) -> str:
    """The commitment of one personal field's value in one entry: an HMAC of the field's name
    (length-prefixed), the salt (32 hex digits) and the value, last: a string as itself,
    anything else as canonical JSON, each marked so that "5" and 5 differ."""
    encoded = "s" + value if isinstance(value, str) else "j" + _json(value)
    mac = _committing(_key(key)).copy()
    mac.update(f"{len(name)}:{name}|{salt}|{encoded}".encode())
    return mac.hexdigest()


def personal_values(entry) -> dict:
    """Each personal field of the entry by its commitment name, as it stands now; a blanked
    details key is absent."""
    values = {name: getattr(entry, name) for name in PERSONAL_COLUMNS}
    for detail, value in (entry.details or {}).items():
        values[DETAILS_PREFIX + detail] = value
    return values


def blank_value(name: str):
    """What a blanked personal column holds (a blanked details key is removed)."""
    return None if name == "ip_address" else ""


def entry_commitments(entry, *, key: str | None = None) -> dict[str, str]:
    key = _key(key)
    return {
        name: commitment(name, entry.salt, value, key=key)
        for name, value in personal_values(entry).items()
    }


def canonical_json(entry) -> str:
    """What the entry's MAC covers, under the entry's scheme."""
    if entry.scheme in (Scheme.SHA256, Scheme.HMAC_SHA256):
        return legacy_canonical_json(entry)
    content = {name: getattr(entry, name) for name in CHAINED_FIELDS}
    content["created_at"] = entry.created_at.isoformat(timespec="microseconds")
    content["scheme"] = int(entry.scheme)
    content["commitments"] = entry.commitments
    return _json(content)


def legacy_canonical_json(entry) -> str:
    content = {name: getattr(entry, name) for name in LEGACY_HASHED_FIELDS}
    content["created_at"] = entry.created_at.isoformat(timespec="microseconds")
    if entry.scheme != Scheme.SHA256:
        # The scheme is covered too: a keyed entry cannot be passed off as an unkeyed one.
        content["scheme"] = int(entry.scheme)
    return _json(content)


def entry_digest(entry, *, key: str | None = None) -> str:
    """What ``entry.hash`` must be under the entry's scheme."""
    if entry.scheme == Scheme.SHA256:
        return hashlib.sha256(canonical_json(entry).encode()).hexdigest()
    if entry.scheme in (Scheme.HMAC_SHA256, Scheme.COMMITTED):
        return _mac(canonical_json(entry), key)
    raise ValueError(f"unknown audit chain scheme {entry.scheme!r}")


def anchor_mac(
    *, kind: str, entry_id: int, entry_hash: str, created_at: datetime, key: str | None = None
) -> str:
    """An anchor's own MAC, so that a row inserted without the key is no anchor."""
    message = f"{kind}|{entry_id}|{entry_hash}|{created_at.isoformat(timespec='microseconds')}"
    return _mac(message, key)


def digests_match(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode(), b.encode())
