import json
import logging
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import send_mail
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, models, transaction
from django.utils import timezone

from audit.chain import GENESIS_HASH, entry_hash
from audit.models import AuditEntry

logger = logging.getLogger(__name__)

# pg_advisory_xact_lock key: serialises appends so that two writers never chain to one parent.
CHAIN_LOCK_KEY = 0x41554449  # "AUDI"


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
        previous = AuditEntry.objects.order_by("-id").values_list("hash", flat=True).first()
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
            prev_hash=previous or GENESIS_HASH,
        )
        entry.hash = entry_hash(entry)
        entry.save()
    return entry


@dataclass(frozen=True)
class ChainVerification:
    checked: int
    broken_entry_id: int | None = None
    problem: str = ""

    @property
    def intact(self) -> bool:
        return self.broken_entry_id is None


def audit_chain_verify(*, progress: Callable[[int], None] | None = None) -> ChainVerification:
    """Walk the chain in order and name the first entry that does not fit."""
    expected_prev = GENESIS_HASH
    checked = 0
    for entry in AuditEntry.objects.order_by("id").iterator(chunk_size=2000):
        if entry.prev_hash != expected_prev:
            return ChainVerification(
                checked,
                entry.id,
                "its link to the entry before it is broken: an entry was removed or reordered",
            )
        if entry_hash(entry) != entry.hash:
            return ChainVerification(
                checked, entry.id, "its content was changed after it was written"
            )
        expected_prev = entry.hash
        checked += 1
        if progress and checked % 10_000 == 0:
            progress(checked)
    return ChainVerification(checked)


def audit_chain_verify_and_alert() -> ChainVerification:
    result = audit_chain_verify()
    # The result joins the trail, so the dashboard and the viewer show the last verification.
    audit_record(
        actor=None,
        action="audit.verify",
        details={
            "checked": result.checked,
            "broken_entry_id": result.broken_entry_id,
            "problem": result.problem,
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
    return result
