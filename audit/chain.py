"""The chain: each entry's MAC covers its content and the previous entry's MAC.

Two schemes. Entries written before the key existed carry the plain SHA-256 of their
canonical JSON (``Scheme.SHA256``); anyone could recompute those, so they are trusted only up
to the cut-over anchor that migration 0004 recorded. Every later entry carries an HMAC-SHA256
keyed by settings.AUDIT_HMAC_KEY (``Scheme.HMAC_SHA256``), which is never stored in the
database: rewriting the chain needs the key.
"""

import hashlib
import hmac
import json
from datetime import datetime

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models

GENESIS_HASH = "0" * 64
HASHED_FIELDS = (
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


class Scheme(models.IntegerChoices):
    SHA256 = 1, "SHA-256, unkeyed (before the cut-over)"
    HMAC_SHA256 = 2, "HMAC-SHA256, keyed"


def canonical_json(entry) -> str:
    content = {name: getattr(entry, name) for name in HASHED_FIELDS}
    content["created_at"] = entry.created_at.isoformat(timespec="microseconds")
    if entry.scheme != Scheme.SHA256:
        # The scheme is covered too: a keyed entry cannot be passed off as an unkeyed one.
        content["scheme"] = int(entry.scheme)
    return json.dumps(
        content, cls=DjangoJSONEncoder, sort_keys=True, separators=(",", ":"), ensure_ascii=False
    )


def _mac(message: str, key: str | None) -> str:
    key = settings.AUDIT_HMAC_KEY if key is None else key
    return hmac.new(key.encode(), message.encode(), hashlib.sha256).hexdigest()


def entry_digest(entry, *, key: str | None = None) -> str:
    """What ``entry.hash`` must be under the entry's scheme."""
    if entry.scheme == Scheme.SHA256:
        return hashlib.sha256(canonical_json(entry).encode()).hexdigest()
    if entry.scheme == Scheme.HMAC_SHA256:
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
