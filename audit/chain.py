"""The hash chain: each entry's hash covers its content and the previous entry's hash."""

import hashlib
import json

from django.core.serializers.json import DjangoJSONEncoder

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


def canonical_json(entry) -> str:
    content = {name: getattr(entry, name) for name in HASHED_FIELDS}
    content["created_at"] = entry.created_at.isoformat(timespec="microseconds")
    return json.dumps(
        content, cls=DjangoJSONEncoder, sort_keys=True, separators=(",", ":"), ensure_ascii=False
    )


def entry_hash(entry) -> str:
    return hashlib.sha256(canonical_json(entry).encode()).hexdigest()
