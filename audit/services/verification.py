"""Verifying the chain: every entry, every anchor, the head kept outside the database, and
every blanked personal value against the record of its blanking."""

import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from django.conf import settings
from django.core.cache import cache
from django.core.mail import send_mail
from django.utils import timezone

from audit.chain import (
    DETAILS_PREFIX,
    GENESIS_HASH,
    Scheme,
    anchor_mac,
    blank_value,
    commitment,
    digests_match,
    entry_digest,
    personal_values,
)
from audit.models import AuditAnchor, AuditEntry
from audit.redaction import Coverage
from audit.services.personal_details import ERASED_ACTION
from audit.services.record import (
    ANCHOR_CACHE_KEY,
    HEAD_CACHE_KEY,
    TAIL_CUT_CACHE_KEY,
    audit_anchor_record,
    audit_record,
)

logger = logging.getLogger(__name__)


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


class _Erasures:
    """The trail's records of blankings, read before the walk (and any written since, when an
    entry names one), so that a blanked value can be held against the record that allows it.
    Each record is itself checked when the walk reaches it."""

    def __init__(self) -> None:
        self.details: dict[int, dict] = dict(
            AuditEntry.objects.filter(action=ERASED_ACTION).values_list("id", "details")
        )
        self.coverage = {pk: Coverage.of(details) for pk, details in self.details.items()}

    def covers(self, record_id, entry_id: int, name: str) -> bool:
        if not isinstance(record_id, int) or record_id <= entry_id:
            return False
        if record_id not in self.coverage:
            details = (
                AuditEntry.objects.filter(id=record_id, action=ERASED_ACTION)
                .values_list("details", flat=True)
                .first()
            )
            if details is None:
                return False
            self.details[record_id] = details
            self.coverage[record_id] = Coverage.of(details)
        return self.coverage[record_id].covers(entry_id, name)

    def read_otherwise(self, entry: AuditEntry) -> bool:
        """A record whose content changed between the first read and the walk."""
        return entry.id in self.details and self.details[entry.id] != entry.details


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
    # Anchors from before the conversion to scheme 3 name converted entries by their old MAC.
    checkpoint = next((a.id for a in anchors if a.kind == AuditAnchor.Kind.CHECKPOINT), 0)
    written = cache.get(HEAD_CACHE_KEY)
    walk = _Walk()
    problem = (
        _walk_entries(
            walk, anchored=anchored, checkpoint=checkpoint, written=written, progress=progress
        )
        or _anchored_entry_missing(walk, anchored)
        or _tail_cut()
        or _written_head_missing(walk, written)
        or _anchors_removed(anchors)
    )
    broken_entry_id, text = problem or (None, "")
    return ChainVerification(
        walk.checked, broken_entry_id, text, walk.head_id, walk.head_hash, len(anchors)
    )


def _walk_entries(walk: _Walk, *, anchored, checkpoint: int, written, progress) -> Problem:
    """Check each entry in order; the first that does not fit stops the walk."""
    erasures = _Erasures()
    key = settings.AUDIT_HMAC_KEY
    for entry in AuditEntry.objects.order_by("id").iterator(chunk_size=2000):
        problem = (
            _link_broken(entry, walk.head_hash)
            or _not_committed(entry)
            or _content_changed(entry, key)
            or _personal_value_problem(entry, erasures, key)
            or _anchor_differs(entry, anchored.get(entry.id, ()), walk.met, checkpoint)
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


def _not_committed(entry: AuditEntry) -> str:
    if entry.scheme != Scheme.COMMITTED:
        return (
            f"it carries scheme {entry.scheme}, but every entry is keyed with committed "
            "personal details (scheme 3) since the conversion: it was written or rewritten "
            "without the key"
        )
    return ""


def _content_changed(entry: AuditEntry, key: str) -> str:
    if not digests_match(entry_digest(entry, key=key), entry.hash):
        return (
            "its content was changed after it was written, or its MAC was recomputed "
            "without the right key"
        )
    return ""


def _field_words(name: str) -> str:
    if name.startswith(DETAILS_PREFIX):
        return f"detail “{name.removeprefix(DETAILS_PREFIX)}”"
    return {"actor_label": "actor", "target_label": "target", "ip_address": "IP address"}[name]


def _personal_value_problem(entry: AuditEntry, erasures: _Erasures, key: str) -> str:
    """Each personal value still held must match its commitment; a blanked one must be
    covered by a record of its blanking in the trail."""
    committed = entry.commitments if isinstance(entry.commitments, dict) else {}
    # Not chained, so not trusted for its shape either.
    erased = entry.erased_fields if isinstance(entry.erased_fields, dict) else {}
    values = personal_values(entry)
    for name in values:
        if name not in committed:
            return f"its {_field_words(name)} was added after it was written"
    for name, expected in committed.items():
        if name in values:
            if digests_match(commitment(name, entry.salt, values[name], key=key), expected):
                continue
            if name.startswith(DETAILS_PREFIX) or values[name] != blank_value(name):
                return f"its {_field_words(name)} was changed after it was written"
        if not erasures.covers(erased.get(name), entry.id, name):
            return (
                f"its {_field_words(name)} was removed, and no record of the trail covers "
                "the removal: it was removed outside the app"
            )
    if erasures.read_otherwise(entry):
        return "this record of a removal of personal details changed while being verified"
    return ""


def _anchor_differs(entry: AuditEntry, anchors, met: set[int], checkpoint: int) -> str:
    for anchor in anchors:
        before_conversion = anchor.id < checkpoint and entry.legacy_hash
        expected = entry.legacy_hash if before_conversion else entry.hash
        if not digests_match(anchor.entry_hash, expected):
            return (
                f"it differs from anchor #{anchor.id} of {_when(anchor.created_at)}: "
                "the chain was rewritten"
            )
        met.add(entry.id)
    return ""


def _written_head_differs(entry: AuditEntry, written) -> str:
    if not written or written["id"] != entry.id or written["hash"] == entry.hash:
        return ""
    if entry.legacy_hash and written["hash"] == entry.legacy_hash:
        return ""  # written before the conversion to scheme 3, by its MAC of then
    return (
        "it differs from the head the app wrote (kept outside the database): "
        "the chain was rewritten"
    )


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
