"""Audit migrations 0008-0010 on PostgreSQL, from the previous release's state: a trail written
the old way (unkeyed entries, the cut-over, keyed entries, an anchor, the head in the cache)
is verified, converted to scheme 3 and checkpointed, and keeps verifying; a broken old chain
stops the migration instead of being laundered."""

import datetime
import decimal
import importlib
import itertools

import pytest
from django.core.cache import cache
from django.core.management.base import CommandError
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

import audit
from audit import chain
from audit.chain import GENESIS_HASH, Scheme, anchor_mac, entry_digest
from audit.models import AuditAnchor, AuditEntry
from audit.services import audit_chain_verify
from audit.services.record import HEAD_CACHE_KEY, TAIL_CUT_CACHE_KEY
from tests.audit.test_audit_tampering import triggers_off

pytestmark = pytest.mark.usefixtures("requires_postgres")

PREVIOUS_RELEASE = ("audit", "0007_disclosures_to_records")
conversion = importlib.import_module("audit.migrations.0009_convert_to_committed_scheme")


def _executor() -> MigrationExecutor:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    return executor


def write_old_trail(old_apps) -> list:
    """Three unkeyed entries, the cut-over 0004 records, three keyed entries, a nightly
    anchor of the head and the head in the cache: a trail as the previous release leaves it."""
    OldEntry = old_apps.get_model("audit", "AuditEntry")
    OldAnchor = old_apps.get_model("audit", "AuditAnchor")
    previous, entries = GENESIS_HASH, []

    def add(scheme, n):
        nonlocal previous
        entry = OldEntry(
            created_at=timezone.now(),
            actor_id=None,
            actor_label="dana@company.example",
            action="user.suspend",
            target_type="accounts.User",
            target_id=str(40 + n),
            target_label=f"Person {n}",
            details={"reason": f"Asked by person {n}", "step": n},
            ip_address="198.51.100.9",
            prev_hash=previous,
            scheme=scheme,
        )
        entry.hash = entry_digest(entry)
        entry.save()
        previous = entry.hash
        entries.append(entry)

    def anchor(kind, entry):
        created_at = timezone.now()
        OldAnchor.objects.create(
            created_at=created_at,
            kind=kind,
            entry_id=entry.id,
            entry_hash=entry.hash,
            entries=len(entries),
            mac=anchor_mac(
                kind=kind, entry_id=entry.id, entry_hash=entry.hash, created_at=created_at
            ),
        )

    for n in range(3):
        add(Scheme.SHA256, n)
    anchor("cutover", entries[-1])
    for n in range(3, 6):
        add(Scheme.HMAC_SHA256, n)
    anchor("nightly", entries[-1])
    cache.set(HEAD_CACHE_KEY, {"id": entries[-1].id, "hash": entries[-1].hash})
    return entries


@pytest.fixture
def old_trail():
    executor = _executor()
    latest = executor.loader.graph.leaf_nodes()
    executor.migrate([PREVIOUS_RELEASE])
    old_apps = executor.loader.project_state([PREVIOUS_RELEASE]).apps
    # The test's transaction is rolled back afterwards, migrations (DDL) included.
    return write_old_trail(old_apps), latest


def test_an_old_trail_is_converted_entry_by_entry_and_keeps_verifying(
    old_trail, django_capture_on_commit_callbacks
):
    """GIVEN a trail of unkeyed and keyed entries with its anchors and cached head
    WHEN the migrations run
    THEN every row is kept, now scheme 3 with its old MAC in legacy_hash, a checkpoint names
    the last converted entry and how many, and the chain verifies against the anchors and
    the head of before; the next entry chains on without a false alarm."""
    old, latest = old_trail
    _executor().migrate(latest)

    converted = list(AuditEntry.objects.order_by("id"))
    assert [e.id for e in converted] == [e.id for e in old]
    assert {e.scheme for e in converted} == {Scheme.COMMITTED}
    assert [e.legacy_hash for e in converted] == [e.hash for e in old]
    assert all(new.hash != was.hash for new, was in zip(converted, old, strict=True))
    assert converted[0].prev_hash == GENESIS_HASH
    assert all(b.prev_hash == a.hash for a, b in itertools.pairwise(converted))
    # The personal values are as they were, and only their commitments are chained.
    assert converted[4].details == {"reason": "Asked by person 4", "step": 4}
    assert converted[4].target_label == "Person 4"
    checkpoint = AuditAnchor.objects.get(kind=AuditAnchor.Kind.CHECKPOINT)
    assert (checkpoint.entry_id, checkpoint.entry_hash, checkpoint.entries) == (
        converted[-1].id,
        converted[-1].hash,
        6,
    )

    result = audit_chain_verify()
    assert result.intact, result.problem
    assert (result.checked, result.anchors_checked) == (6, 3)

    with django_capture_on_commit_callbacks(execute=True):
        new = audit.record(None, "retention.purge", details={"rows": 1})
    assert new.prev_hash == converted[-1].hash
    assert cache.get(TAIL_CUT_CACHE_KEY) is None
    assert audit_chain_verify().intact


def test_a_converted_entry_changed_afterwards_is_caught(old_trail):
    old, latest = old_trail
    _executor().migrate(latest)
    with triggers_off() as cursor:
        cursor.execute(
            "UPDATE audit_auditentry SET target_label = 'Someone else' WHERE id = %s",
            [old[1].id],
        )

    result = audit_chain_verify()
    assert result.broken_entry_id == old[1].id
    assert "its target was changed" in result.problem


def test_a_converted_trail_rewritten_with_another_key_is_caught(old_trail):
    """The forger rewrites an old entry's legacy hash and re-chains everything with a key of
    their own: the first entry fails its MAC."""
    old, latest = old_trail
    _executor().migrate(latest)
    previous = GENESIS_HASH
    with triggers_off() as cursor:
        for entry in AuditEntry.objects.order_by("id"):
            entry.prev_hash = previous
            entry.legacy_hash = "f" * 64 if entry.id == old[-1].id else entry.legacy_hash
            entry.hash = entry_digest(entry, key="a-forger's-key-just-as-long-0123456789")
            cursor.execute(
                "UPDATE audit_auditentry SET prev_hash = %s, hash = %s, legacy_hash = %s "
                "WHERE id = %s",
                [entry.prev_hash, entry.hash, entry.legacy_hash, entry.id],
            )
            previous = entry.hash

    result = audit_chain_verify()
    assert result.broken_entry_id == old[0].id
    assert "key" in result.problem


def test_a_broken_old_chain_stops_the_conversion_and_nothing_is_converted(old_trail):
    old, latest = old_trail
    with triggers_off() as cursor:
        cursor.execute(
            "UPDATE audit_auditentry SET details = %s WHERE id = %s",
            ['{"reason": "nothing to see", "step": 4}', old[4].id],
        )

    with pytest.raises(CommandError, match=f"at entry #{old[4].id}: its content was changed"):
        _executor().migrate(latest)

    with connection.cursor() as cursor:
        cursor.execute("SELECT DISTINCT scheme FROM audit_auditentry")
        assert {scheme for (scheme,) in cursor.fetchall()} == {1, 2}
        cursor.execute("SELECT count(*) FROM audit_auditanchor WHERE kind = 'checkpoint'")
        assert cursor.fetchone() == (0,)


def test_an_anchor_missing_its_entry_stops_the_conversion(old_trail):
    old, latest = old_trail
    with triggers_off() as cursor:
        cursor.execute("DELETE FROM audit_auditentry WHERE id = %s", [old[-1].id])

    with pytest.raises(CommandError, match=f"at entry #{old[-1].id}: it is missing"):
        _executor().migrate(latest)


def test_the_conversion_of_an_empty_trail_records_no_checkpoint_and_reverses():
    executor = _executor()
    latest = executor.loader.graph.leaf_nodes()
    executor.migrate([PREVIOUS_RELEASE])
    _executor().migrate(latest)
    assert not AuditAnchor.objects.filter(kind=AuditAnchor.Kind.CHECKPOINT).exists()
    audit.record(None, "retention.purge")
    with pytest.raises(CommandError, match="cannot be reversed once the trail holds entries"):
        _executor().migrate([PREVIOUS_RELEASE])


def entries_of_every_scheme() -> list[AuditEntry]:
    """Unsaved entries of schemes 1 to 3, with personal values of every kind a trail holds."""
    created_at = datetime.datetime(2026, 3, 29, 1, 30, 0, 123456, tzinfo=datetime.UTC)
    valued = {
        "created_at": created_at,
        "actor_id": 7,
        "actor_label": "Zoë Ångström <zoe@company.example>",
        "action": "rights_request.extend",
        "target_type": "rights.RightsRequest",
        "target_id": "RR-2026-0042",
        "target_label": "5",
        "details": {
            "reason": "Complex: two systems",
            "days": 60,
            "fee": decimal.Decimal("12.50"),
            "due": datetime.date(2026, 5, 28),
            "nested": {"b": [1, "2", None], "a": True},
            "blank": "",
        },
        "ip_address": "2001:db8::1",
        "prev_hash": "ab" * 32,
        "salt": "0123456789abcdef0123456789abcdef",
        "legacy_hash": "cd" * 32,
    }
    bare = {**valued, "actor_id": None, "actor_label": "", "details": {}, "ip_address": None}
    entries = [
        AuditEntry(**fields, scheme=scheme)
        for fields in (valued, bare)
        for scheme in (Scheme.SHA256, Scheme.HMAC_SHA256, Scheme.COMMITTED)
    ]
    for entry in entries:
        entry.commitments = chain.entry_commitments(entry)
    return entries


@pytest.mark.parametrize("key", ["the-test-key", "another-key-just-as-long-0123456789"])
def test_the_conversions_frozen_chain_computes_what_the_live_chain_does(settings, key):
    """0009 carries its own copy of the chain's functions, so that it keeps converting as it
    did whatever audit.chain becomes; today both must give the same digests to the bit."""
    settings.AUDIT_HMAC_KEY = key
    for entry in entries_of_every_scheme():
        assert conversion.entry_commitments(entry) == chain.entry_commitments(entry)
        assert conversion.entry_digest(entry) == chain.entry_digest(entry)
        anchored = {
            "kind": "nightly",
            "entry_id": 42,
            "entry_hash": chain.entry_digest(entry),
            "created_at": entry.created_at,
        }
        assert conversion.anchor_mac(**anchored) == chain.anchor_mac(**anchored)
    assert conversion.GENESIS_HASH == chain.GENESIS_HASH
    assert tuple(Scheme) == (conversion.SHA256, conversion.HMAC_SHA256, conversion.COMMITTED)
    assert conversion.digests_match("ab", "ab") and not conversion.digests_match("ab", "ba")
