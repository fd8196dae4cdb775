"""Blanking personal details of audit entries: the one change an entry may undergo.

Erasure (a rights request, a retention purge of an account, the erasure ledger's replay after a
restore) and the retention schedule's expiry of the trail both come here. Each blanking keeps
the entry, its MAC and its commitments, blanks values, and is itself recorded in the trail by
one "audit.personal_details_erased" entry naming the entries and fields, in the same
transaction: verification accepts a blanked value only where such a record covers it.
"""

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from django.db import connection, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from audit.chain import DETAILS_PREFIX, blank_value
from audit.models import BLANKED_COLUMNS, AuditEntry
from audit.redaction import (
    ERASED_ACTION,
    blanked_groups,
    candidates,
    expired_fields,
    fields_naming,
)
from audit.services.record import audit_record, lock_chain
from datamap import Identifiers

# Set in ``erased_fields`` once retention has blanked every personal detail of an entry. The
# entries marked "*" were blanked while any lower-case word passed for a code ("ann", "jdoe"),
# so retention looks at them once more under today's rule.
EXPIRED_MARK = "*2"


def _blank(entry: AuditEntry, fields: set[str], record_id: int, now) -> None:
    details = dict(entry.details or {})
    for name in fields:
        if name.startswith(DETAILS_PREFIX):
            details.pop(name.removeprefix(DETAILS_PREFIX), None)
        else:
            setattr(entry, name, blank_value(name))
    entry.details = details
    entry.erased_fields = {**entry.erased_fields, **dict.fromkeys(fields, record_id)}
    entry.erased_at = now


def audit_personal_details_erase(
    *,
    entries: QuerySet,
    fields: Callable[[AuditEntry], Iterable[str]],
    because: Mapping[str, Any],
    dry_run: bool = False,
    expired: bool = False,
) -> int:
    """Blank, in each of ``entries``, the personal fields ``fields(entry)`` chooses that still
    hold something, and record it once in the trail with ``because`` (codes only: "reason",
    "rights_request", "purge_run"…). Returns how many entries changed (would change, on a
    dry run). Blanking again changes nothing and records nothing. ``expired`` marks the
    entries as done for the retention schedule."""
    with transaction.atomic():
        # The chain's lock first, then the rows: every blanking takes them in this order (an
        # append takes only the first), so none waits on another that waits on it.
        if not dry_run:
            lock_chain()
        # What the choosers read and a blanking writes: not the MAC or the commitments.
        rows = entries.order_by("id").only(
            "id", "actor_id", "action", "target_type", "target_id", *BLANKED_COLUMNS
        )
        if not dry_run and connection.vendor == "postgresql":
            rows = rows.select_for_update(of=("self",))
        blanked: dict[int, set[str]] = {}
        changed: list[tuple[AuditEntry, set[str]]] = []
        marked: list[AuditEntry] = []
        for entry in rows:
            chosen = set(fields(entry))
            if chosen:
                blanked[entry.id] = chosen
                changed.append((entry, chosen))
            elif expired and EXPIRED_MARK not in entry.erased_fields:
                marked.append(entry)
        if dry_run or not (changed or marked):
            return len(changed)
        now = timezone.now()
        record_id = None
        if changed:
            record = audit_record(
                actor=None,
                action=ERASED_ACTION,
                details={**because, "entries": len(changed), "blanked": blanked_groups(blanked)},
            )
            record_id = record.id
            for entry, chosen in changed:
                _blank(entry, chosen, record_id, now)
        if expired:
            for entry in [entry for entry, _ in changed] + marked:
                entry.erased_fields = {**entry.erased_fields, EXPIRED_MARK: record_id}
                entry.erased_at = now
        AuditEntry.objects.all()._personal_details_blank([entry for entry, _ in changed] + marked)
    return len(changed)


def audit_subject_details_erase(
    identifiers: Identifiers, because: Mapping[str, Any], dry_run: bool = False
) -> int:
    """Erasure: blank what names the subject in every entry, and keep the events (the data
    map's ``Redact`` rule for "audit.trail")."""
    if not (identifiers.user_ids or identifiers.emails or identifiers.ip_addresses):
        return 0
    return audit_personal_details_erase(
        entries=AuditEntry.objects.filter(candidates(identifiers)),
        fields=fields_naming(identifiers),
        because=because,
        dry_run=dry_run,
    )


def audit_expired_details_erase(entries: QuerySet, because: Mapping[str, Any]) -> int:
    """Retention: blank every personal detail of these (expired) entries."""
    return audit_personal_details_erase(
        entries=entries, fields=expired_fields, because=because, expired=True
    )


def audit_expired_done() -> Q:
    """The entries retention has already blanked: nothing left to do."""
    return Q(erased_fields__has_key=EXPIRED_MARK)
