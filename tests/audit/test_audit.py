import hashlib
import hmac
import io
import json
import subprocess
import sys

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction

import audit
from audit.chain import GENESIS_HASH, Scheme, canonical_json
from audit.models import AppendOnlyError, AuditAnchor, AuditEntry
from audit.services import audit_chain_verify
from audit.tasks import verify_audit_chain
from datamap.dataset import write_dataset
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


def test_each_entry_is_keyed_by_the_hmac_of_the_audit_key_over_commitments(settings):
    entry = make_trail(1)[0]
    entry.refresh_from_db()
    message = canonical_json(entry).encode()

    assert entry.scheme == Scheme.COMMITTED
    key = settings.AUDIT_HMAC_KEY.encode()
    assert entry.hash == hmac.new(key, message, hashlib.sha256).hexdigest()
    assert entry.hash != hashlib.sha256(message).hexdigest()
    # The MAC covers a commitment of each personal value, never the value itself.
    assert entry.actor_label not in message.decode()
    assert entry.target_label not in message.decode()
    assert "test 0" not in message.decode()
    assert set(entry.commitments) == {
        "actor_label",
        "target_label",
        "ip_address",
        "details.reason",
    }
    assert len(entry.salt) == 32 and entry.legacy_hash == ""


def test_a_chain_verified_under_another_key_is_broken(settings):
    entries = make_trail(2)
    settings.AUDIT_HMAC_KEY = "another-key-of-the-same-length-0123456789"

    result = audit_chain_verify()

    assert result.broken_entry_id == entries[0].id
    assert "key" in result.problem


def test_production_refuses_a_short_audit_key(tmp_path):
    env = {
        "PATH": "/usr/bin:/bin",
        "HTTPS": "1",
        "SECRET_KEY": "s" * 60,
        "AUDIT_HMAC_KEY": "too-short",
        "PRIVACYDESK_VAR_DIR": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "config.settings",
    }
    run = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        env=env,
        capture_output=True,
        text=True,
    )
    assert run.returncode != 0
    assert "AUDIT_HMAC_KEY must be at least 32 characters" in run.stderr
    assert "too-short" not in run.stderr


def test_the_embedded_mode_generates_the_audit_key_once_into_var(tmp_path):
    env = {"PATH": "/usr/bin:/bin", "PRIVACYDESK_VAR_DIR": str(tmp_path)}
    read = "from django.conf import settings; print(settings.AUDIT_HMAC_KEY)"
    command = [sys.executable, "-c", f"import django; django.setup(); {read}"]
    env["DJANGO_SETTINGS_MODULE"] = "config.settings"

    first = subprocess.run(command, env=env, capture_output=True, text=True, check=True)
    second = subprocess.run(command, env=env, capture_output=True, text=True, check=True)

    key = (tmp_path / "audit_hmac_key").read_text().strip()
    assert len(key) >= 50
    assert first.stdout.strip() == second.stdout.strip() == key
    assert (tmp_path / "audit_hmac_key").stat().st_mode & 0o077 == 0


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


def test_verify_audit_passes_on_an_intact_trail_and_anchors_its_head(capsys):
    entries = make_trail(4)
    call_command("verify_audit")
    assert "Audit trail intact: 4 entries, 0 anchors" in capsys.readouterr().out
    assert AuditAnchor.objects.get().entry_id == entries[-1].id
    call_command("verify_audit")
    assert "Audit trail intact: 5 entries, 1 anchors" in capsys.readouterr().out


def test_the_orm_refuses_to_change_or_remove_an_anchor():
    make_trail(1)
    call_command("verify_audit")
    anchor = AuditAnchor.objects.get()
    with pytest.raises(AppendOnlyError):
        anchor.save()
    with pytest.raises(AppendOnlyError):
        anchor.delete()
    with pytest.raises(AppendOnlyError):
        AuditAnchor.objects.update(entry_id=0)
    with pytest.raises(AppendOnlyError):
        AuditAnchor.objects.all().delete()


def test_the_test_dataset_leaves_out_the_trail_and_its_anchors():
    make_trail(2)
    call_command("verify_audit")
    out = io.StringIO()

    write_dataset(out, key=b"a-test-key-of-some-length-0123456789", progress=False)

    models = {json.loads(line).get("model") for line in out.getvalue().splitlines()[1:]}
    assert "accounts.user" in models
    assert not models & {"audit.auditentry", "audit.auditanchor"}


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


def test_the_nightly_task_anchors_the_head_and_mails_it_to_the_dpo(mailoutbox, settings):
    entries = make_trail(2)

    assert verify_audit_chain.delay().get() == {"checked": 2, "broken_entry_id": None}

    anchor = AuditAnchor.objects.get()
    assert (anchor.kind, anchor.entry_id, anchor.entry_hash) == (
        "nightly",
        entries[1].id,
        entries[1].hash,
    )
    assert anchor.entries == 2
    [mail] = mailoutbox
    assert mail.to == [settings.DPO_EMAIL]
    assert f"Head entry: #{entries[1].id}" in mail.body
    assert entries[1].hash in mail.body
    assert settings.AUDIT_HMAC_KEY not in mail.body


def test_the_nightly_task_mails_the_dpo_when_the_chain_is_broken_and_anchors_nothing(
    mailoutbox, settings
):
    entries = make_trail(2)
    _tamper("UPDATE audit_auditentry SET action = %s WHERE id = %s", ["x", entries[0].id])

    assert verify_audit_chain.delay().get()["broken_entry_id"] == entries[0].id

    assert AuditAnchor.objects.count() == 0
    [mail] = mailoutbox
    assert mail.to == [settings.DPO_EMAIL]
    assert f"Entry #{entries[0].id}: its content was changed" in mail.body


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
