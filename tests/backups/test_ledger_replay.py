"""The erasure ledger learns of every erasure, not only the rights request's: the retention
purge that erases accounts writes the same entry, and a restore's replay ends an account as
accounts' own termination does (its sessions logged out, its invitations revoked)."""

import datetime
import io

import pytest
import time_machine
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.core.management import call_command
from django.utils import timezone

from accounts.models import User
from accounts.services.users import user_terminate
from audit.models import AuditEntry
from dsar.executors.erasure import erasure_run
from dsar.models import Channel, RequestKind
from dsar.services.filing import rights_request_file
from dsar.services.subjects import rights_request_confirm_subject
from retention.models import ErasureLedgerEntry, RetentionPolicy
from retention.services.ledger import email_hash, user_id_hash
from retention.services.purge import purge_category
from security.models import UserSession
from tests.dsar.test_erasure import ALLOWED_TABLES, scan_database
from tests.factories import DpoFactory, UserFactory
from usage.models import UsageEvent

LEDGER = ["default", "ledger"]
pytestmark = pytest.mark.django_db(transaction=True, databases=LEDGER)


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def run(*args) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def logged_in(user: User) -> str:
    """A real login session (Django's row and security's record of it); its key."""
    store = SessionStore()
    store["_auth_user_id"] = str(user.pk)
    store.create()
    UserSession.objects.create(
        user=user, session_key=store.session_key, ip_address="198.51.100.7", device="Firefox"
    )
    return store.session_key


def test_a_restore_erases_again_a_person_the_account_purge_erased(requires_postgres, tmp_path):
    """GIVEN an account ended longer ago than the account policy keeps it, and a backup of
    today, WHEN the retention purge erases it and the backup is restored, THEN the ledger
    replays that erasure: the person is nowhere outside the kept items."""
    dpo = DpoFactory()
    days = RetentionPolicy.objects.get(category="account").days
    with time_machine.travel(timezone.now() - datetime.timedelta(days=days + 1)):
        gone = UserFactory(email="long.gone@client.example", full_name="Gwendolyn Gone")
        user_terminate(user=gone, by=dpo)
    UsageEvent.objects.create(
        occurred_at=timezone.now(),
        organisation=gone.organisation,
        user=gone,
        ip_address="203.0.113.77",
        action="page_view",
    )
    bystander = UserFactory(email="bystander@client.example")
    backup = tmp_path / "before.backup"
    run("backup", "--out", str(backup))

    run_ = purge_category(category="account")

    assert run_.counts["accounts.contact"] == {"anonymised": 1}
    entry = ErasureLedgerEntry.objects.get()
    assert entry.terminate_account
    assert user_id_hash(gone.pk) in entry.user_id_hashes
    assert email_hash("long.gone@client.example") in entry.email_hashes

    assert "Erased again: 1 person" in run("restore", str(backup), "--yes")
    restored = User.objects.get(pk=gone.pk)
    assert restored.email == f"erased-{gone.pk}@erased.invalid"
    assert UsageEvent.objects.get().user is None
    assert User.objects.get(pk=bystander.pk).email == "bystander@client.example"
    leftovers = scan_database(["long.gone@client.example", "Gwendolyn Gone", "203.0.113.77"])
    assert {table: hits for table, hits in leftovers.items() if table not in ALLOWED_TABLES} == {}


def test_a_restore_ends_again_an_account_its_erasure_ended_and_logs_it_out(
    requires_postgres, tmp_path
):
    """GIVEN a backup taken while a person was logged in, WHEN their erasure ends the account and
    the backup is restored, THEN the replay ends the account through accounts' termination:
    as of the erasure, with its login session gone and the termination in the audit trail."""
    dpo = DpoFactory()
    user = UserFactory(email="logged.in@client.example")
    session_key = logged_in(user)
    request = rights_request_file(
        kind=RequestKind.ERASURE,
        requester_name=user.full_name,
        requester_email=user.email,
        channel=Channel.EMAIL,
        filed_by=dpo,
        verified=True,
    )
    rights_request_confirm_subject(request=request, user=user, by=dpo)
    backup = tmp_path / "before.backup"
    run("backup", "--out", str(backup))
    erasure_run(request=request, terminate_account=True, by=dpo)
    erased_at = ErasureLedgerEntry.objects.get().erased_at

    assert "Erased again: 1 person" in run("restore", str(backup), "--yes")

    restored = User.objects.get(pk=user.pk)
    assert restored.status == User.Status.TERMINATED
    assert restored.terminated_at == erased_at
    assert not Session.objects.filter(session_key=session_key).exists()
    replayed = AuditEntry.objects.filter(action="user.terminate", details__erasure_replayed=True)
    assert replayed.count() == 1
    assert "Audit trail intact" in run("verify_audit")
