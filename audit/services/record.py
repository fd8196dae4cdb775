"""Appending to the trail, the head kept outside the database, and anchors."""

import json
import logging
import secrets

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, models, router, transaction
from django.utils import timezone
from django.utils.ipv6 import clean_ipv6_address

from audit.chain import GENESIS_HASH, Scheme, anchor_mac, entry_commitments, entry_digest
from audit.models import AuditAnchor, AuditEntry

logger = logging.getLogger(__name__)

# pg_advisory_xact_lock key: serialises appends so that two writers never chain to one parent.
CHAIN_LOCK_KEY = 0x41554449  # "AUDI"
# The newest head the app wrote, kept in the cache (Redis in production), out of reach of
# someone who can only write the database: rows cut from the end since the last anchor show.
HEAD_CACHE_KEY = "audit:chain-head"
HEAD_CACHE_SECONDS = 60 * 60 * 24 * 400
# Set when an entry is written on top of an older head than the newest the app wrote: rows
# were cut from the end and the next write hid the cut (its id, from a sequence, is higher
# still). Kept, like a broken link, for as long as the head is.
TAIL_CUT_CACHE_KEY = "audit:chain-tail-cut"
# The newest anchor and how many anchors there were up to it: anchors deleted show.
ANCHOR_CACHE_KEY = "audit:latest-anchor"


def lock_chain() -> None:
    """Serialise with every other writer of the trail until the transaction ends."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [CHAIN_LOCK_KEY])
    # SQLite: the settings open every transaction IMMEDIATE, which takes the write lock.


def _describe_target(target) -> tuple[str, str, str]:
    if target is None:
        return "", "", ""
    if isinstance(target, models.Model):
        return target._meta.label, str(target.pk), str(target)[:254]
    return type(target).__name__, "", str(target)[:254]


def _ip(value: str | None) -> str | None:
    # As PostgreSQL's inet column gives it back, so that its commitment matches when read.
    if value and ":" in value:
        try:
            return clean_ipv6_address(value)
        except ValidationError:
            return value  # refused by PostgreSQL's inet as before; SQLite stores it as given
    return value or None


def audit_record(
    *,
    actor,
    action: str,
    target=None,
    details: dict | None = None,
    ip_address: str | None = None,
    target_id: str | None = None,
) -> AuditEntry:
    """Append one entry; ``actor`` is a user, an API key's principal, or None for the system.

    ``target_id`` names the target instead of its pk, for a model whose pk must not be kept
    (an API key's pk holds the key's hash; the trail names the key by its prefix).
    """
    is_user = actor is not None and getattr(actor, "is_authenticated", False)
    # An API key acts too (accounts.authentication.ApiKeyPrincipal): it names itself through
    # get_username() but is no user row, so the entry links to no user.
    actor_row = actor if is_user and isinstance(actor, models.Model) else None
    target_type, target_pk, target_label = _describe_target(target)
    target_id = target_pk if target_id is None else target_id
    # Store exactly what is hashed: the JSON round trip fixes dates, decimals and key types.
    details = json.loads(json.dumps(details or {}, cls=DjangoJSONEncoder))
    with transaction.atomic():
        lock_chain()
        # The head as the primary has it, even inside a heavy function (common.db_routing),
        # whose reads go to a replica that may not have the newest entry yet.
        head = (
            AuditEntry.objects.using(router.db_for_write(AuditEntry))
            .order_by("-id")
            .values_list("id", "hash")
            .first()
        )
        previous_id, previous_hash = head or (0, GENESIS_HASH)
        entry = AuditEntry(
            created_at=timezone.now(),
            actor=actor_row,
            actor_label=actor.get_username() if is_user else "system",
            action=action,
            target_type=target_type,
            target_id=target_id,
            target_label=target_label,
            details=details,
            ip_address=_ip(ip_address),
            prev_hash=previous_hash,
            scheme=Scheme.COMMITTED,
            salt=secrets.token_hex(16),
        )
        entry.commitments = entry_commitments(entry)
        entry.hash = entry_digest(entry)
        entry.save()
        # Robust: the entry is written; a cache that is down must not fail the request.
        transaction.on_commit(
            lambda: _remember_head(
                entry_id=entry.id,
                entry_hash=entry.hash,
                previous_id=previous_id,
                previous_hash=previous_hash,
            ),
            robust=True,
        )
    return entry


def _remember_head(*, entry_id: int, entry_hash: str, previous_id: int, previous_hash: str) -> None:
    known = cache.get(HEAD_CACHE_KEY)
    if known is not None and known["id"] >= entry_id:
        # An older writer's callback, run after a newer one's: the newer head stays.
        return
    if known is not None and (
        previous_id < known["id"]
        or (
            previous_id == known["id"]
            and previous_hash != known["hash"]
            # The head the app wrote before the conversion to scheme 3 (migration 0009), by
            # its MAC of then.
            and not AuditEntry.objects.filter(id=previous_id, legacy_hash=known["hash"]).exists()
        )
    ):
        cut = {"missing": known["id"], "written": entry_id, "on_top_of": previous_id}
        cache.add(TAIL_CUT_CACHE_KEY, cut, HEAD_CACHE_SECONDS)  # the first cut is the one kept
        logger.error("Audit trail: entry %s was written on top of a cut tail", entry_id)
    cache.set(HEAD_CACHE_KEY, {"id": entry_id, "hash": entry_hash}, HEAD_CACHE_SECONDS)


def _remember_anchor(*, anchor: AuditAnchor, anchors: int) -> None:
    known = cache.get(ANCHOR_CACHE_KEY)
    if known is None or known["id"] < anchor.id:
        kept = {"id": anchor.id, "entry_id": anchor.entry_id, "anchors": anchors}
        cache.set(ANCHOR_CACHE_KEY, kept, HEAD_CACHE_SECONDS)


def audit_chain_restored() -> int | None:
    """A backup restore rewinds the trail to the backup's head on purpose: the head and anchor
    kept outside the database follow it, or every later check would report a cut tail. Returns
    the id of the head the app had written, for the restore's own entry to name."""
    written = cache.get(HEAD_CACHE_KEY)
    cache.delete_many([HEAD_CACHE_KEY, TAIL_CUT_CACHE_KEY, ANCHOR_CACHE_KEY])
    head = AuditEntry.objects.order_by("-id").values("id", "hash").first()
    if head is not None:
        cache.set(HEAD_CACHE_KEY, head, HEAD_CACHE_SECONDS)
    anchor = AuditAnchor.objects.order_by("-id").first()
    if anchor is not None:
        _remember_anchor(anchor=anchor, anchors=AuditAnchor.objects.count())
    logger.warning("Audit trail rewound by a backup restore to entry %s", head and head["id"])
    return written["id"] if written else None


def audit_anchor_record(*, kind: str, head_id: int, head_hash: str, entries: int) -> AuditAnchor:
    """Record a verified head as an anchor."""
    created_at = timezone.now()
    anchor = AuditAnchor(
        created_at=created_at,
        kind=kind,
        entry_id=head_id,
        entry_hash=head_hash,
        entries=entries,
        mac=anchor_mac(kind=kind, entry_id=head_id, entry_hash=head_hash, created_at=created_at),
    )
    anchor.save()
    anchors = AuditAnchor.objects.filter(id__lte=anchor.id).count()
    transaction.on_commit(lambda: _remember_anchor(anchor=anchor, anchors=anchors), robust=True)
    return anchor
