import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction

import audit
from audit.chain import GENESIS_HASH
from audit.models import AppendOnlyError, AuditEntry
from audit.services import audit_chain_verify
from tests.factories import DpoFactory, UserFactory

pytestmark = pytest.mark.django_db


def make_trail(n=3):
    dpo = DpoFactory()
    member = UserFactory()
    return [
        audit.record(dpo, "user.suspend", target=member, details={"reason": f"test {i}"})
        for i in range(n)
    ]


def test_each_entry_chains_to_the_one_before_it():
    first, second, third = make_trail(3)
    assert first.prev_hash == GENESIS_HASH
    assert second.prev_hash == first.hash
    assert third.prev_hash == second.hash
    assert len({first.hash, second.hash, third.hash}) == 3


def test_an_entry_names_the_actor_and_the_target():
    entry = make_trail(1)[0]
    entry.refresh_from_db()
    assert entry.actor_label.endswith("@example.test")
    assert entry.target_type == "accounts.User"
    assert entry.details == {"reason": "test 0"}


def test_the_system_can_be_the_actor():
    entry = audit.record(None, "retention.purge", details={"rows": 5})
    assert entry.actor is None
    assert entry.actor_label == "system"


def test_the_orm_refuses_to_change_or_remove_an_entry():
    entry = make_trail(1)[0]
    entry.action = "something.else"
    with pytest.raises(AppendOnlyError):
        entry.save()
    with pytest.raises(AppendOnlyError):
        entry.delete()
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.filter(pk=entry.pk).update(action="x")
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.all().delete()
    assert AuditEntry.objects.get(pk=entry.pk).action == "user.suspend"


def test_verify_audit_passes_on_an_intact_trail(capsys):
    make_trail(4)
    call_command("verify_audit")
    assert "Audit trail intact: 4 entries" in capsys.readouterr().out


def _tamper(sql, params):
    """Change a row as an attacker with database access would: around the trigger."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE audit_auditentry DISABLE TRIGGER audit_entry_append_only")
        cursor.execute(sql, params)
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE audit_auditentry ENABLE TRIGGER audit_entry_append_only")


def test_verify_audit_names_the_first_changed_entry():
    entries = make_trail(4)
    _tamper(
        "UPDATE audit_auditentry SET details = %s WHERE id = %s",
        ['{"reason": "nothing to see"}', entries[1].id],
    )
    result = audit_chain_verify()
    assert result.broken_entry_id == entries[1].id
    assert result.checked == 1
    assert "changed" in result.problem
    with pytest.raises(CommandError, match=f"entry #{entries[1].id}"):
        call_command("verify_audit")


def test_verify_audit_notices_a_removed_entry():
    entries = make_trail(4)
    _tamper("DELETE FROM audit_auditentry WHERE id = %s", [entries[2].id])
    result = audit_chain_verify()
    assert result.broken_entry_id == entries[3].id
    assert "removed" in result.problem


def test_the_nightly_task_mails_the_dpo_when_the_chain_is_broken(mailoutbox, settings):
    from audit.tasks import verify_audit_chain

    entries = make_trail(2)
    assert verify_audit_chain.delay().get() == {"checked": 2, "broken_entry_id": None}
    assert mailoutbox == []
    _tamper("UPDATE audit_auditentry SET action = %s WHERE id = %s", ["x", entries[0].id])
    assert verify_audit_chain.delay().get()["broken_entry_id"] == entries[0].id
    assert mailoutbox[0].to == [settings.DPO_EMAIL]


def test_postgresql_refuses_update_and_delete_through_raw_sql(requires_postgres):
    entry = make_trail(1)[0]
    from django.db.utils import DatabaseError

    for sql in (
        "UPDATE audit_auditentry SET action = 'x' WHERE id = %s",
        "DELETE FROM audit_auditentry WHERE id = %s",
    ):
        with (
            pytest.raises(DatabaseError, match="append-only"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(sql, [entry.id])
    assert AuditEntry.objects.get(pk=entry.pk).action == "user.suspend"
