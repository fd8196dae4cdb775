"""An attacker who can write the trail's table, tried on PostgreSQL: each tamper is refused by
a trigger or caught by verification, which names the entry.

Tampering goes around the triggers as the table's owner could (ALTER TABLE ... DISABLE
TRIGGER USER). The anchors are what an owner cannot rewrite unseen: each nightly one is also
in the DPO's mailbox.
"""

import hashlib
from contextlib import contextmanager

import pytest
from django.db import connection, transaction
from django.db.utils import DatabaseError

import audit
from audit.chain import GENESIS_HASH, Scheme, canonical_json, entry_digest
from audit.models import AuditAnchor, AuditEntry
from audit.services import audit_chain_verify, audit_chain_verify_and_alert
from tests.factories import DpoFactory, UserFactory

pytestmark = pytest.mark.usefixtures("requires_postgres")

TABLES = ("audit_auditentry", "audit_auditanchor")
WRONG_KEY = "not-the-key-but-just-as-long-0123456789"


def make_trail(n=4, start=0):
    dpo, member = DpoFactory(), UserFactory()
    return [
        audit.record(dpo, "user.suspend", target=member, details={"reason": f"step {i}"})
        for i in range(start, start + n)
    ]


@contextmanager
def triggers_off():
    """What the table's owner can do: switch the append-only triggers off."""
    with connection.cursor() as cursor:
        for table in TABLES:
            cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER USER")
        yield cursor
        for table in TABLES:
            cursor.execute(f"ALTER TABLE {table} ENABLE TRIGGER USER")


def edit(entry, *, details: str):
    with triggers_off() as cursor:
        cursor.execute(
            "UPDATE audit_auditentry SET details = %s WHERE id = %s", [details, entry.id]
        )


def unkeyed(entry) -> str:
    return hashlib.sha256(canonical_json(entry).encode()).hexdigest()


def rehash_chain(digest, *, scheme=None):
    """Recompute every link and hash in order, as a forger would after an edit."""
    previous = GENESIS_HASH
    with triggers_off() as cursor:
        for entry in AuditEntry.objects.order_by("id"):
            entry.prev_hash = previous
            if scheme is not None:
                entry.scheme = scheme
            entry.hash = digest(entry)
            cursor.execute(
                "UPDATE audit_auditentry SET prev_hash = %s, hash = %s, scheme = %s WHERE id = %s",
                [entry.prev_hash, entry.hash, entry.scheme, entry.id],
            )
            previous = entry.hash


def anchored_trail(n=4):
    entries = make_trail(n)
    assert audit_chain_verify_and_alert().intact
    return entries


# --- passes ---------------------------------------------------------------------------------


def test_an_intact_chain_with_its_anchors_passes():
    make_trail(3)
    first = audit_chain_verify_and_alert(kind=AuditAnchor.Kind.NIGHTLY)
    make_trail(2)
    second = audit_chain_verify_and_alert()

    assert first.intact and second.intact
    assert second.anchors_checked == 1
    assert AuditAnchor.objects.count() == 2
    # The second run checked the first run's "audit.verify" entry too.
    assert second.checked == first.checked + 1 + 2


# --- refused by a trigger -------------------------------------------------------------------


@pytest.mark.parametrize(
    "sql",
    [
        "TRUNCATE audit_auditentry",
        "TRUNCATE audit_auditanchor",
        "UPDATE audit_auditanchor SET entry_id = 1",
        "DELETE FROM audit_auditanchor",
    ],
)
def test_postgresql_refuses_truncate_and_changes_to_anchors(sql):
    anchored_trail(2)
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(sql)
    assert AuditEntry.objects.count() == 3
    assert AuditAnchor.objects.count() == 1


# --- caught by verification -----------------------------------------------------------------


def test_an_edited_entry_is_caught_and_named():
    entries = anchored_trail()
    edit(entries[1], details='{"reason": "nothing to see"}')

    result = audit_chain_verify()
    assert result.broken_entry_id == entries[1].id
    assert "changed" in result.problem


def test_a_tail_cut_back_past_an_anchor_is_caught():
    entries = anchored_trail()
    with triggers_off() as cursor:
        cursor.execute("DELETE FROM audit_auditentry WHERE id >= %s", [entries[2].id])

    result = audit_chain_verify()
    head = AuditAnchor.objects.get()
    assert result.broken_entry_id == head.entry_id
    assert "removed from its end" in result.problem
    assert f"anchor #{head.id}" in result.problem


def test_a_tail_newer_than_the_last_anchor_is_caught_by_the_head_the_app_wrote(
    django_capture_on_commit_callbacks,
):
    anchored_trail(2)
    with django_capture_on_commit_callbacks(execute=True):
        newer = make_trail(3, start=2)
    with triggers_off() as cursor:
        cursor.execute("DELETE FROM audit_auditentry WHERE id >= %s", [newer[1].id])

    result = audit_chain_verify()
    assert result.broken_entry_id == newer[-1].id
    assert "removed from its end" in result.problem


def test_a_tail_cut_and_hidden_under_a_newer_entry_is_caught(django_capture_on_commit_callbacks):
    # Found by the live re-run: cut the newest entries, then let the app write one more; its
    # id is higher still, so the head the app wrote moved on and the cut no longer showed.
    anchored_trail(2)
    with django_capture_on_commit_callbacks(execute=True):
        newer = make_trail(3, start=2)
    with triggers_off() as cursor:
        cursor.execute("DELETE FROM audit_auditentry WHERE id >= %s", [newer[1].id])
    with django_capture_on_commit_callbacks(execute=True):
        [hiding] = make_trail(1, start=5)

    result = audit_chain_verify()
    assert result.broken_entry_id == newer[-1].id
    assert f"entry #{hiding.id} was written on top of entry #{newer[0].id}" in result.problem
    assert not audit_chain_verify_and_alert().intact  # and the cut is never anchored over


def test_anchors_removed_are_caught(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        anchored_trail(2)
        make_trail(1, start=2)
        assert audit_chain_verify_and_alert().intact
    last = AuditAnchor.objects.latest("id")
    with triggers_off() as cursor:
        cursor.execute("DELETE FROM audit_auditanchor WHERE id = %s", [last.id])

    result = audit_chain_verify()
    assert result.broken_entry_id == last.entry_id
    assert "anchors were removed" in result.problem

    with triggers_off() as cursor:
        cursor.execute("DELETE FROM audit_auditanchor")
    assert "anchors were removed" in audit_chain_verify().problem


def test_a_truncated_trail_is_caught():
    anchored_trail()
    with triggers_off() as cursor:
        cursor.execute("TRUNCATE audit_auditentry")

    result = audit_chain_verify()
    assert not result.intact
    assert result.checked == 0
    assert "the trail was emptied" in result.problem


def test_a_trail_truncated_with_its_anchors_is_caught_by_the_head_the_app_wrote(
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        anchored_trail()
    with triggers_off() as cursor:
        cursor.execute("TRUNCATE audit_auditentry, audit_auditanchor")

    result = audit_chain_verify()
    assert not result.intact
    assert "the trail was emptied" in result.problem


@pytest.mark.parametrize(
    ("forgery", "digest", "scheme"),
    [
        ("unkeyed SHA-256, marked as the old scheme", unkeyed, Scheme.SHA256),
        ("unkeyed SHA-256, marked as keyed", unkeyed, None),
        ("HMAC with a wrong key", lambda e: entry_digest(e, key=WRONG_KEY), None),
    ],
)
def test_a_chain_rehashed_after_an_edit_is_caught(forgery, digest, scheme):
    entries = anchored_trail()
    edit(entries[1], details='{"reason": "nothing to see"}')
    rehash_chain(digest, scheme=scheme)

    result = audit_chain_verify()
    assert result.broken_entry_id == entries[0].id, forgery
    assert "key" in result.problem, forgery


def test_a_rehashed_chain_with_a_forged_anchor_is_caught():
    """The forger also adds an anchor of the rewritten head, without the real key."""
    entries = anchored_trail()
    edit(entries[1], details='{"reason": "nothing to see"}')
    rehash_chain(lambda e: entry_digest(e, key=WRONG_KEY))
    with triggers_off() as cursor:
        cursor.execute("DELETE FROM audit_auditanchor")
    head = AuditEntry.objects.order_by("-id").first()
    forged = AuditAnchor.objects.create(
        created_at=head.created_at,
        kind=AuditAnchor.Kind.CUTOVER,
        entry_id=head.id,
        entry_hash=head.hash,
        entries=5,
        mac=hashlib.sha256(b"a guess").hexdigest(),
    )

    result = audit_chain_verify()
    assert not result.intact
    assert f"anchor #{forged.id}" in result.problem and "forged" in result.problem


def test_an_entry_removed_and_the_chain_relinked_with_a_wrong_key_is_caught():
    entries = anchored_trail()
    with triggers_off() as cursor:
        cursor.execute("DELETE FROM audit_auditentry WHERE id = %s", [entries[1].id])
    rehash_chain(lambda e: entry_digest(e, key=WRONG_KEY))

    result = audit_chain_verify()
    assert result.broken_entry_id == entries[0].id
