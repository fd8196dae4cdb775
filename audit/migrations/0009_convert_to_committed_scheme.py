"""Every entry moves to scheme 3 (committed personal details), and on PostgreSQL the trail's
trigger lets an UPDATE through only when it blanks personal values.

First the old chain is verified as it stands, under its own schemes (1 up to the cut-over
anchor, 2 after it): every link, every MAC, every anchor. A break stops the migration with a
message naming the entry and nothing is converted: re-chaining a broken trail under the key
would launder the break, so it is for people to investigate first (`verify_audit` on the
previous release shows it too).

Then, in id order, each entry gets a random salt and the commitments of its personal fields,
keeps its old MAC in ``legacy_hash``, is linked to the converted entry before it and gets its
scheme-3 MAC, which covers ``legacy_hash`` too. A checkpoint anchor (keyed) records the last
converted entry and how many were converted: verification holds anchors older than it, and the
head the app kept in the cache, against ``legacy_hash``.

One transaction. On PostgreSQL the trigger's function is replaced, inside it, by one that lets
the conversion through, then by the final one; no other session ever sees the first.

The chain's functions are copied here as audit.chain had them at this migration: it must
compute schemes 1 to 3 exactly so, whatever audit.chain becomes later.
"""

import functools
import hashlib
import hmac
import json
import secrets

from django.conf import settings
from django.core.management.base import CommandError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import migrations
from django.utils import timezone

# The chain's schemes (audit.chain.Scheme): unkeyed SHA-256, HMAC over the values, HMAC over
# commitments of the personal values.
SHA256, HMAC_SHA256, COMMITTED = 1, 2, 3
GENESIS_HASH = "0" * 64
PERSONAL_COLUMNS = ("actor_label", "target_label", "ip_address")
DETAILS_PREFIX = "details."
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


def _json(value) -> str:
    return json.dumps(
        value, cls=DjangoJSONEncoder, sort_keys=True, separators=(",", ":"), ensure_ascii=False
    )


@functools.lru_cache(maxsize=4)
def _keyed(key: str) -> "hmac.HMAC":
    return hmac.new(key.encode(), digestmod=hashlib.sha256)


def _mac(message: str) -> str:
    mac = _keyed(settings.AUDIT_HMAC_KEY).copy()
    mac.update(message.encode())
    return mac.hexdigest()


@functools.lru_cache(maxsize=4)
def _committing(key: str) -> "hmac.HMAC":
    derived = hmac.new(key.encode(), COMMITMENT_KEY_LABEL, hashlib.sha256).digest()
    return hmac.new(derived, digestmod=hashlib.sha256)


def commitment(name: str, salt: str, value) -> str:
    encoded = "s" + value if isinstance(value, str) else "j" + _json(value)
    mac = _committing(settings.AUDIT_HMAC_KEY).copy()
    mac.update(f"{len(name)}:{name}|{salt}|{encoded}".encode())
    return mac.hexdigest()


def entry_commitments(entry) -> dict[str, str]:
    values = {name: getattr(entry, name) for name in PERSONAL_COLUMNS}
    for detail, value in (entry.details or {}).items():
        values[DETAILS_PREFIX + detail] = value
    return {name: commitment(name, entry.salt, value) for name, value in values.items()}


def canonical_json(entry) -> str:
    if entry.scheme in (SHA256, HMAC_SHA256):
        content = {name: getattr(entry, name) for name in LEGACY_HASHED_FIELDS}
        content["created_at"] = entry.created_at.isoformat(timespec="microseconds")
        if entry.scheme != SHA256:
            content["scheme"] = int(entry.scheme)
        return _json(content)
    content = {name: getattr(entry, name) for name in CHAINED_FIELDS}
    content["created_at"] = entry.created_at.isoformat(timespec="microseconds")
    content["scheme"] = int(entry.scheme)
    content["commitments"] = entry.commitments
    return _json(content)


def entry_digest(entry) -> str:
    if entry.scheme == SHA256:
        return hashlib.sha256(canonical_json(entry).encode()).hexdigest()
    if entry.scheme in (HMAC_SHA256, COMMITTED):
        return _mac(canonical_json(entry))
    raise ValueError(f"unknown audit chain scheme {entry.scheme!r}")


def anchor_mac(*, kind: str, entry_id: int, entry_hash: str, created_at) -> str:
    return _mac(f"{kind}|{entry_id}|{entry_hash}|{created_at.isoformat(timespec='microseconds')}")


def digests_match(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode(), b.encode())


BATCH = 1000
CONVERTED_FIELDS = ["salt", "commitments", "legacy_hash", "prev_hash", "scheme", "hash"]

REFUSE_ALL = """
CREATE OR REPLACE FUNCTION audit_entry_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'audit entries are append-only (% refused)', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
"""

LET_THROUGH = """
CREATE OR REPLACE FUNCTION audit_entry_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'UPDATE' THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'audit entries are append-only (% refused)', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
"""

# An UPDATE may only blank personal values (labels to '', the IP address to NULL, keys of the
# details removed, the others unchanged), each named in the erased markers; every chained
# column stays as it was. DELETE is refused, as before.
BLANK_ONLY = """
CREATE OR REPLACE FUNCTION audit_entry_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'UPDATE'
        AND NEW.id = OLD.id
        AND NEW.created_at IS NOT DISTINCT FROM OLD.created_at
        AND NEW.actor_id IS NOT DISTINCT FROM OLD.actor_id
        AND NEW.action IS NOT DISTINCT FROM OLD.action
        AND NEW.target_type IS NOT DISTINCT FROM OLD.target_type
        AND NEW.target_id IS NOT DISTINCT FROM OLD.target_id
        AND NEW.prev_hash IS NOT DISTINCT FROM OLD.prev_hash
        AND NEW.hash IS NOT DISTINCT FROM OLD.hash
        AND NEW.scheme IS NOT DISTINCT FROM OLD.scheme
        AND NEW.salt IS NOT DISTINCT FROM OLD.salt
        AND NEW.commitments IS NOT DISTINCT FROM OLD.commitments
        AND NEW.legacy_hash IS NOT DISTINCT FROM OLD.legacy_hash
        AND jsonb_typeof(NEW.erased_fields) = 'object'
        AND (NEW.actor_label = OLD.actor_label
             OR (NEW.actor_label = '' AND NEW.erased_fields ? 'actor_label'))
        AND (NEW.target_label = OLD.target_label
             OR (NEW.target_label = '' AND NEW.erased_fields ? 'target_label'))
        AND (NEW.ip_address IS NOT DISTINCT FROM OLD.ip_address
             OR (NEW.ip_address IS NULL AND NEW.erased_fields ? 'ip_address'))
        AND jsonb_typeof(NEW.details) = 'object'
        AND jsonb_typeof(OLD.details) = 'object'
        AND NOT EXISTS (
            SELECT 1 FROM jsonb_each(NEW.details) AS kept
            WHERE NOT (OLD.details ? kept.key AND OLD.details -> kept.key = kept.value)
        )
        AND NOT EXISTS (
            SELECT 1 FROM jsonb_object_keys(OLD.details) AS removed
            WHERE NOT NEW.details ? removed AND NOT NEW.erased_fields ? ('details.' || removed)
        )
        AND NEW.erased_at IS NOT NULL
    THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'audit entries are append-only: only personal details may be blanked (% refused)', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
"""


class _OldChain:
    """The checks audit_chain_verify made of each entry before scheme 3."""

    def __init__(self, anchors) -> None:
        self.anchored: dict[int, list] = {}
        for anchor in anchors:
            expected = anchor_mac(
                kind=anchor.kind,
                entry_id=anchor.entry_id,
                entry_hash=anchor.entry_hash,
                created_at=anchor.created_at,
            )
            if not digests_match(expected, anchor.mac):
                self.stop(
                    anchor.entry_id,
                    f"anchor #{anchor.id} does not carry a valid MAC: it was forged, or "
                    "written with another key",
                )
            if anchor.entry_id:
                self.anchored.setdefault(anchor.entry_id, []).append(anchor)
        cutover = next((a for a in anchors if a.kind == "cutover"), None)
        self.legacy_until = cutover.entry_id if cutover else 0
        self.previous = GENESIS_HASH
        self.met: set[int] = set()

    @staticmethod
    def stop(entry_id: int, problem: str) -> None:
        raise CommandError(
            f"The audit trail does not verify under its old schemes at entry #{entry_id}: "
            f"{problem}. Nothing was converted. Converting would re-chain the broken entries "
            "under the key and hide the break: investigate it first (`python manage.py "
            "verify_audit` on the previous release names it too)."
        )

    def check(self, entry) -> None:
        if entry.prev_hash != self.previous:
            self.stop(entry.id, "its link to the entry before it is broken")
        if entry.scheme not in (SHA256, HMAC_SHA256):
            self.stop(entry.id, f"it carries scheme {entry.scheme}, which is not an old scheme")
        if entry.scheme == SHA256 and entry.id > self.legacy_until:
            self.stop(entry.id, "it carries an unkeyed hash but comes after the cut-over")
        if not digests_match(entry_digest(entry), entry.hash):
            self.stop(entry.id, "its content was changed after it was written")
        for anchor in self.anchored.get(entry.id, ()):
            if not digests_match(anchor.entry_hash, entry.hash):
                self.stop(entry.id, f"it differs from anchor #{anchor.id}")
            self.met.add(entry.id)
        self.previous = entry.hash

    def finish(self) -> None:
        missing = sorted(set(self.anchored) - self.met)
        if missing:
            self.stop(missing[-1], "it is missing, but an anchor recorded it as the head")


def convert(apps, schema_editor):
    alias = schema_editor.connection.alias
    AuditEntry = apps.get_model("audit", "AuditEntry")
    AuditAnchor = apps.get_model("audit", "AuditAnchor")
    entries = AuditEntry.objects.using(alias)
    postgresql = schema_editor.connection.vendor == "postgresql"
    if postgresql:
        schema_editor.execute(LET_THROUGH, params=None)
    old = _OldChain(list(AuditAnchor.objects.using(alias).order_by("id")))
    previous, converted, batch, last = GENESIS_HASH, 0, [], None
    for entry in entries.order_by("id").iterator(chunk_size=BATCH):
        old.check(entry)
        entry.legacy_hash = entry.hash
        entry.salt = secrets.token_hex(16)
        entry.commitments = entry_commitments(entry)
        entry.prev_hash = previous
        entry.scheme = COMMITTED
        entry.hash = entry_digest(entry)
        previous, last = entry.hash, entry
        converted += 1
        batch.append(entry)
        if len(batch) == BATCH:
            entries.bulk_update(batch, CONVERTED_FIELDS)
            batch = []
    old.finish()
    if batch:
        entries.bulk_update(batch, CONVERTED_FIELDS)
    if last is not None:
        created_at = timezone.now()
        AuditAnchor.objects.using(alias).create(
            created_at=created_at,
            kind="checkpoint",
            entry_id=last.id,
            entry_hash=last.hash,
            entries=converted,
            mac=anchor_mac(
                kind="checkpoint", entry_id=last.id, entry_hash=last.hash, created_at=created_at
            ),
        )
    if postgresql:
        schema_editor.execute(BLANK_ONLY, params=None)


def refuse_to_unconvert(apps, schema_editor):
    AuditEntry = apps.get_model("audit", "AuditEntry")
    if AuditEntry.objects.using(schema_editor.connection.alias).exists():
        raise CommandError(
            "The audit trail's conversion to scheme 3 cannot be reversed once the trail holds "
            "entries: the release before it cannot verify them."
        )
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(REFUSE_ALL, params=None)


class Migration(migrations.Migration):
    dependencies = [("audit", "0008_committed_scheme_columns")]

    operations = [migrations.RunPython(convert, refuse_to_unconvert)]
