"""Backups cannot bring the erased back: a restore replays the erasure ledger, which lives in a
database of its own and holds keyed hashes of identifiers, never the identifiers."""

import io

import pytest
from cryptography.fernet import Fernet
from django.core.management import CommandError, call_command

from accounts.models import User
from audit.models import AuditEntry
from dsar.executors.erasure import erasure_run
from dsar.models import RequestKind
from retention.models import ErasureLedgerEntry
from retention.services.ledger import email_hash
from security.models import BackupRecord
from tests.dsar.test_access_package import SUBJECT_EMAIL, SUBJECT_IP, SUBJECT_NAME, seed_subject
from tests.dsar.test_erasure import ALLOWED_TABLES, scan_database
from tests.factories import UserFactory

LEDGER = ["default", "ledger"]


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def run(*args) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


@pytest.mark.django_db(transaction=True, databases=LEDGER)
def test_a_restored_backup_holds_nothing_of_a_person_erased_after_it(requires_postgres, tmp_path):
    """GIVEN a backup taken while a person's data was everywhere, WHEN they are erased through
    the rights-request executor and the backup is restored, THEN the restore erases them again:
    no text column outside the kept items holds them, and the audit trail verifies."""
    user, request, dpo = seed_subject(kind=RequestKind.ERASURE)
    bystander = UserFactory(email="bystander@client.example")
    needles = [SUBJECT_EMAIL, SUBJECT_NAME, SUBJECT_IP]
    assert "audit_auditentry" in scan_database(needles)
    backup = tmp_path / "before.backup"
    summary = run("backup", "--out", str(backup))
    assert "Backed up" in summary and "rows, estimated" in summary
    assert BackupRecord.objects.exists()

    erasure_run(request=request, terminate_account=True, by=dpo)
    entry = ErasureLedgerEntry.objects.get()
    assert email_hash(SUBJECT_EMAIL) in entry.email_hashes
    assert SUBJECT_EMAIL not in str(entry.email_hashes) + str(entry.user_id_hashes)

    summary = run("restore", str(backup), "--yes")
    assert "Erased again: 1 person" in summary
    assert User.objects.get(pk=user.pk).status == User.Status.TERMINATED
    assert User.objects.get(pk=bystander.pk).email == "bystander@client.example"
    assert User.objects.get(pk=bystander.pk).status == bystander.status
    leftovers = scan_database(needles)
    assert {table: hits for table, hits in leftovers.items() if table not in ALLOWED_TABLES} == {}
    # The restored trail named them (the backup predates the erasure); the replay removed
    # that, recorded the removal, and the chain verifies.
    assert "audit_auditentry" not in leftovers
    [replayed] = AuditEntry.objects.filter(action="audit.personal_details_erased")
    assert replayed.details["reason"] == "erasure" and "erasure_ledger_entry" in replayed.details
    assert "Audit trail intact" in run("verify_audit")


@pytest.mark.django_db(transaction=True, databases=LEDGER)
def test_a_restore_without_erasures_since_brings_everyone_back_as_they_were(
    requires_postgres, tmp_path, settings
):
    settings.BACKUP_KEY = Fernet.generate_key().decode()
    kept = UserFactory(full_name="Kept Person")
    backup = tmp_path / "b.backup"
    assert "encrypted" in run("backup", "--out", str(backup))
    assert b"Kept Person" not in backup.read_bytes()
    User.objects.filter(pk=kept.pk).update(full_name="Changed")

    assert "Erased again: 0 people" in run("restore", str(backup), "--yes")
    assert User.objects.get(pk=kept.pk).full_name == "Kept Person"


@pytest.mark.django_db(databases=LEDGER)
def test_restore_refuses_without_yes_a_missing_file_a_wrong_key_and_a_damaged_file(
    tmp_path, settings
):
    UserFactory()
    with pytest.raises(CommandError, match="--yes"):
        run(
            "restore",
            str(tmp_path / "any"),
        )
    with pytest.raises(CommandError, match="No backup file"):
        run("restore", str(tmp_path / "missing"), "--yes")

    settings.BACKUP_KEY = Fernet.generate_key().decode()
    backup = tmp_path / "b.backup"
    run("backup", "--out", str(backup))
    settings.BACKUP_KEY = Fernet.generate_key().decode()
    with pytest.raises(CommandError, match="does not open this backup"):
        run("restore", str(backup), "--yes")
    settings.BACKUP_KEY = ""
    with pytest.raises(CommandError, match="encrypted and BACKUP_KEY is not set"):
        run("restore", str(backup), "--yes")

    damaged = tmp_path / "damaged.backup"
    damaged.write_bytes(b"not a backup at all")
    with pytest.raises(CommandError, match="not a PrivacyDesk backup"):
        run("restore", str(damaged), "--yes")
    assert User.objects.exists()


@pytest.mark.django_db(databases=LEDGER)
def test_the_ledger_lives_in_its_own_database_only():
    from django.db import router

    assert router.db_for_write(ErasureLedgerEntry) == "ledger"
    assert router.db_for_write(User) != "ledger"
    assert not router.allow_migrate("default", "retention", model_name="erasureledgerentry")
    assert not router.allow_migrate("ledger", "accounts", model_name="user")
    assert not router.allow_migrate("ledger", "retention")  # data migrations stay off it


@pytest.mark.django_db(transaction=True, databases=LEDGER)
def test_the_nightly_backup_lands_in_storage_and_old_ones_are_pruned(requires_postgres, settings):
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    from backups.tasks import take_nightly_backup

    settings.BACKUP_KEEP_DAYS = 35
    default_storage.save("backups/2020-01-01T023000Z.backup", ContentFile(b"old"))
    default_storage.save("backups/notes.txt", ContentFile(b"not ours"))
    name = take_nightly_backup.delay().get()
    _folders, files = default_storage.listdir("backups")
    assert name.removeprefix("backups/") in files
    assert "2020-01-01T023000Z.backup" not in files
    assert "notes.txt" in files
    assert default_storage.open(name).read().startswith(b"PRIVACYDESK-BACKUP")


@pytest.mark.django_db(databases=LEDGER)
def test_on_postgresql_the_summary_takes_the_planners_estimates_and_scans_no_analysed_table(
    requires_postgres,
):
    """A big database is not read table by table for the summary: the rows are pg_class's
    estimates, exact for small analysed tables, and only a table never analysed is counted."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from backups.services import _counts

    UserFactory.create_batch(4)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
        cursor.execute("CREATE TABLE never_analysed (id int)")
        cursor.execute("INSERT INTO never_analysed SELECT generate_series(1, 3)")
        exact = 0
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f'SELECT COUNT(*) FROM "{table}"')  # noqa: S608
            exact += cursor.fetchone()[0]

    with CaptureQueriesContext(connection) as queries:
        counts = _counts()

    assert counts.estimated
    assert counts.tables == len(connection.introspection.table_names())
    assert counts.rows == exact
    scans = [q["sql"] for q in queries if "COUNT(*)" in q["sql"]]
    assert scans == ['SELECT COUNT(*) FROM "never_analysed"']
