import json
import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from django.conf import settings
from django.core.cache import cache
from django.core.mail import send_mail
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, models, transaction
from django.utils import timezone

from audit.chain import GENESIS_HASH, Scheme, anchor_mac, digests_match, entry_digest
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


def _lock_chain() -> None:
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
        _lock_chain()
        previous_id, previous_hash = AuditEntry.objects.order_by("-id").values_list(
            "id", "hash"
        ).first() or (0, GENESIS_HASH)
        entry = AuditEntry(
            created_at=timezone.now(),
            actor=actor_row,
            actor_label=actor.get_username() if is_user else "system",
            action=action,
            target_type=target_type,
            target_id=target_id,
            target_label=target_label,
            details=details,
            ip_address=ip_address,
            prev_hash=previous_hash,
            scheme=Scheme.HMAC_SHA256,
        )
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
        previous_id < known["id"] or (previous_id == known["id"] and previous_hash != known["hash"])
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


@dataclass(frozen=True)
class ChainVerification:
    checked: int
    broken_entry_id: int | None = None
    problem: str = ""
    # The last entry checked: what an anchor of this verification records.
    head_id: int = 0
    head_hash: str = GENESIS_HASH
    anchors_checked: int = 0

    @property
    def intact(self) -> bool:
        return self.broken_entry_id is None and not self.problem


def _when(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M:%S %Z")


def _verified_anchors() -> tuple[list[AuditAnchor], ChainVerification | None]:
    """The anchors, oldest first, or the first one that is not what the app wrote."""
    anchors = list(AuditAnchor.objects.order_by("id"))
    for anchor in anchors:
        expected = anchor_mac(
            kind=anchor.kind,
            entry_id=anchor.entry_id,
            entry_hash=anchor.entry_hash,
            created_at=anchor.created_at,
        )
        if not digests_match(expected, anchor.mac):
            return anchors, ChainVerification(
                0,
                anchor.entry_id,
                f"anchor #{anchor.id} (of {_when(anchor.created_at)}) does not carry a valid "
                "MAC: it was forged, or written with another key",
            )
    return anchors, None


# A check's finding: the entry it names and what is wrong with it; None when it passes.
Problem = tuple[int, str] | None


@dataclass
class _Walk:
    """How far the walk got: the entries checked, the last one that fits, the anchored met."""

    checked: int = 0
    head_id: int = 0
    head_hash: str = GENESIS_HASH
    met: set[int] = field(default_factory=set)


def audit_chain_verify(*, progress: Callable[[int], None] | None = None) -> ChainVerification:
    """Walk the chain in order, check it against its anchors and the newest head the app
    wrote, and name the first entry that does not fit."""
    anchors, forged = _verified_anchors()
    if forged:
        return forged
    anchored: dict[int, list[AuditAnchor]] = {}
    for anchor in anchors:
        if anchor.entry_id:
            anchored.setdefault(anchor.entry_id, []).append(anchor)
    written = cache.get(HEAD_CACHE_KEY)
    walk = _Walk()
    problem = (
        _walk_entries(walk, anchors=anchors, anchored=anchored, written=written, progress=progress)
        or _anchored_entry_missing(walk, anchored)
        or _tail_cut()
        or _written_head_missing(walk, written)
        or _anchors_removed(anchors)
    )
    broken_entry_id, text = problem or (None, "")
    return ChainVerification(
        walk.checked, broken_entry_id, text, walk.head_id, walk.head_hash, len(anchors)
    )


def _walk_entries(walk: _Walk, *, anchors, anchored, written, progress) -> Problem:
    """Check each entry in order; the first that does not fit stops the walk."""
    # Unkeyed entries are believed only up to the cut-over; with none recorded, nowhere.
    cutover = next((a for a in anchors if a.kind == AuditAnchor.Kind.CUTOVER), None)
    legacy_until = cutover.entry_id if cutover else 0
    for entry in AuditEntry.objects.order_by("id").iterator(chunk_size=2000):
        problem = (
            _link_broken(entry, walk.head_hash)
            or _unkeyed_after_cutover(entry, legacy_until)
            or _content_changed(entry)
            or _anchor_differs(entry, anchored.get(entry.id, ()), walk.met)
            or _written_head_differs(entry, written)
        )
        if problem:
            return entry.id, problem
        walk.head_id, walk.head_hash = entry.id, entry.hash
        walk.checked += 1
        if progress and walk.checked % 10_000 == 0:
            progress(walk.checked)
    return None


def _link_broken(entry: AuditEntry, expected_prev: str) -> str:
    if entry.prev_hash != expected_prev:
        return "its link to the entry before it is broken: an entry was removed or reordered"
    return ""


def _unkeyed_after_cutover(entry: AuditEntry, legacy_until: int) -> str:
    if entry.scheme == Scheme.SHA256 and entry.id > legacy_until:
        return (
            "it carries an unkeyed hash but comes after the cut-over to the keyed chain"
            + (f" (entry #{legacy_until})" if legacy_until else "")
            + ": it was written or rewritten without the key"
        )
    return ""


def _content_changed(entry: AuditEntry) -> str:
    if entry.scheme not in Scheme.values or not digests_match(entry_digest(entry), entry.hash):
        return (
            "its content was changed after it was written, or its MAC was recomputed "
            "without the right key"
        )
    return ""


def _anchor_differs(entry: AuditEntry, anchors, met: set[int]) -> str:
    for anchor in anchors:
        if not digests_match(anchor.entry_hash, entry.hash):
            return (
                f"it differs from anchor #{anchor.id} of {_when(anchor.created_at)}: "
                "the chain was rewritten"
            )
        met.add(entry.id)
    return ""


def _written_head_differs(entry: AuditEntry, written) -> str:
    if written and written["id"] == entry.id and written["hash"] != entry.hash:
        return (
            "it differs from the head the app wrote (kept outside the database): "
            "the chain was rewritten"
        )
    return ""


def _anchored_entry_missing(walk: _Walk, anchored) -> Problem:
    """An anchored entry the walk never met was removed: the tail was cut, or the table
    emptied."""
    missing = [a for entry_id, kept in anchored.items() for a in kept if entry_id not in walk.met]
    if not missing:
        return None
    anchor = max(missing, key=lambda a: a.entry_id)
    how = (
        "the trail was emptied"
        if walk.checked == 0
        else "entries were removed from its end"
        if anchor.entry_id > walk.head_id
        else "entries were removed and the chain re-linked"
    )
    return anchor.entry_id, (
        f"it is missing, but anchor #{anchor.id} of {_when(anchor.created_at)} recorded "
        f"it as the head ({anchor.entries:,} entries): {how}"
    )


def _tail_cut() -> Problem:
    if cut := cache.get(TAIL_CUT_CACHE_KEY):
        return cut["missing"], (
            f"it is missing: entry #{cut['written']} was written on top of entry "
            f"#{cut['on_top_of']} after the app had written up to this one, so entries were "
            "removed from the end and the chain went on from there"
        )
    return None


def _written_head_missing(walk: _Walk, written) -> Problem:
    if written and written["id"] > walk.head_id:
        how = "the trail was emptied" if walk.checked == 0 else "entries were removed from its end"
        return written["id"], (
            f"it is missing, but the app wrote it (the head kept outside the database): {how}"
        )
    return None


def _anchors_removed(anchors: list[AuditAnchor]) -> Problem:
    kept = cache.get(ANCHOR_CACHE_KEY)
    left = sum(1 for anchor in anchors if kept and anchor.id <= kept["id"])
    if kept and left < kept["anchors"]:
        return kept["entry_id"], (
            f"anchors were removed: the app wrote {kept['anchors']:,} up to anchor "
            f"#{kept['id']}, which recorded this entry as the head, and {left:,} are left"
        )
    return None


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


def audit_chain_verify_and_alert(
    *, kind: str = AuditAnchor.Kind.VERIFY, progress: Callable[[int], None] | None = None
) -> ChainVerification:
    """Verify; anchor the head when intact (mailed to the DPO nightly); alert when broken."""
    result = audit_chain_verify(progress=progress)
    anchor = None
    if result.intact:
        anchor = audit_anchor_record(
            kind=kind, head_id=result.head_id, head_hash=result.head_hash, entries=result.checked
        )
    # The result joins the trail, so the dashboard and the viewer show the last verification.
    audit_record(
        actor=None,
        action="audit.verify",
        details={
            "checked": result.checked,
            "broken_entry_id": result.broken_entry_id,
            "problem": result.problem,
            "anchors_checked": result.anchors_checked,
            "anchor_id": anchor.id if anchor else None,
        },
    )
    if not result.intact:
        logger.error("Audit trail broken at entry %s: %s", result.broken_entry_id, result.problem)
        send_mail(
            subject="PrivacyDesk: the audit trail failed verification",
            message=(
                f"Entry #{result.broken_entry_id}: {result.problem}.\n"
                f"Run `python manage.py verify_audit` to see it again."
            ),
            from_email=None,
            recipient_list=[settings.DPO_EMAIL],
        )
    elif kind == AuditAnchor.Kind.NIGHTLY:
        send_mail(
            subject=f"PrivacyDesk: audit trail anchor of {_when(anchor.created_at)}",
            message=(
                "The audit trail verified intact. Keep this message: it records the trail's "
                "head outside the database, and a later check can be held against it.\n\n"
                f"Anchor: #{anchor.id}\n"
                f"Time: {anchor.created_at.isoformat()}\n"
                f"Head entry: #{anchor.entry_id}\n"
                f"Entries: {anchor.entries}\n"
                f"Head MAC: {anchor.entry_hash}\n"
            ),
            from_email=None,
            recipient_list=[settings.DPO_EMAIL],
        )
    return result
