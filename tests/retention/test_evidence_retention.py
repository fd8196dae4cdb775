"""The evidence stores have retention categories of their own: the disclosure log (six years
after the disclosure), the admin site's log (two years) and the erasure ledger (until every
backup kept is newer, plus a margin). Each purge removes exactly the expired rows, with time
moved by time-machine."""

import datetime

import pytest
import time_machine
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError

from accounts.models import User
from datamap import registry
from records.models import Disclosure, DisclosureSubject
from records.notice import notice_records
from records.services import disclosure_record
from retention import selectors
from retention.models import ErasureLedgerEntry, PurgeRun, RetentionPolicy
from retention.services import schedule
from retention.services.purge import purge_category
from tests.factories import DpoFactory, UserFactory

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2026, 6, 15, 12, 0, tzinfo=datetime.UTC)


def days_ago(days: float) -> datetime.datetime:
    return NOW - datetime.timedelta(days=days)


def policy(category: str) -> RetentionPolicy:
    return RetentionPolicy.objects.get(category=category)


def test_the_three_stores_left_the_audit_category_for_their_own():
    assert registry.entry("audit.disclosures").retention_category == "disclosures"
    assert registry.entry("audit.disclosures_about").retention_category == "disclosures"
    assert registry.entry("accounts.admin_changes").retention_category == "admin_log"
    assert "erasure_ledger" in registry.exemption_reason(ErasureLedgerEntry)
    schedule_now = {p.category: (p.basis, p.days, p.action) for p in RetentionPolicy.objects.all()}
    assert schedule_now["disclosures"] == ("event", 2190, "delete")
    assert schedule_now["admin_log"] == ("event", 730, "delete")
    assert schedule_now["erasure_ledger"] == ("backups", 7, "delete")


# --- Django admin's log ---------------------------------------------------------------------


def admin_change(user: User, when: datetime.datetime, what: str) -> LogEntry:
    return LogEntry.objects.create(
        user=user,
        content_type=ContentType.objects.get_for_model(User),
        object_id=str(user.pk),
        object_repr=what,
        action_flag=CHANGE,
        change_message="[]",
        action_time=when,
    )


def test_admin_log_entries_are_deleted_two_years_on_and_newer_ones_kept():
    superuser = UserFactory(is_superuser=True)
    old = [admin_change(superuser, days_ago(730 + 1 + n / 10), f"old {n}") for n in range(3)]
    kept = admin_change(superuser, days_ago(730 - 0.01), "just inside")

    with time_machine.travel(NOW, tick=False):
        dry = purge_category(category="admin_log", dry_run=True)
        run = purge_category(category="admin_log")
        again = purge_category(category="admin_log")

    assert list(LogEntry.objects.values_list("pk", flat=True)) == [kept.pk]
    assert dry.counts == run.counts == {"accounts.admin_changes": {"deleted": len(old)}}
    assert again.counts == {}


# --- The disclosure log -----------------------------------------------------------------------


def disclose(when: datetime.datetime, people: list[User]) -> Disclosure:
    with time_machine.travel(when, tick=False):
        return disclosure_record(
            recipient_type="client",
            recipient=people[0].organisation.name,
            legal_basis="Legitimate interests",
            categories=["usage"],
            description="Monthly usage report",
            subject_user_ids=[person.pk for person in people],
            organisation=people[0].organisation,
        )


def test_disclosures_go_six_years_after_they_were_made_with_the_people_they_carried():
    ann, bob = UserFactory(), UserFactory()
    old = disclose(days_ago(2190 + 1), [ann, bob])
    newer = disclose(days_ago(2190 - 1), [ann])

    with time_machine.travel(NOW, tick=False):
        run = purge_category(category="disclosures")
        again = purge_category(category="disclosures")

    assert run.status == PurgeRun.Status.SUCCEEDED
    assert list(Disclosure.objects.values_list("pk", flat=True)) == [newer.pk]
    assert not DisclosureSubject.objects.filter(disclosure_id=old.pk).exists()
    assert DisclosureSubject.objects.filter(disclosure=newer, user=ann).exists()
    assert run.counts == {
        "audit.disclosures": {"deleted": 1},
        "audit.disclosures_about": {"deleted": 2},  # went with it by cascade
    }
    assert again.counts == {}


def test_an_old_disclosure_about_a_person_under_a_legal_hold_is_kept():
    """The disclosure was made by no one held, but deleting it would take the held person's
    row with it: the hold keeps the disclosure."""
    held, other = UserFactory(), UserFactory()
    about_held = disclose(days_ago(2190 + 30), [held, other])
    about_other = disclose(days_ago(2190 + 30), [other])
    schedule.legal_hold_place(user=held, reason="Employment tribunal claim", by=DpoFactory())

    with time_machine.travel(NOW, tick=False):
        run = purge_category(category="disclosures")

    assert list(Disclosure.objects.values_list("pk", flat=True)) == [about_held.pk]
    assert not Disclosure.objects.filter(pk=about_other.pk).exists()
    assert run.counts["audit.disclosures"] == {"deleted": 1}


# --- The erasure ledger -----------------------------------------------------------------------


def ledger_entry(when: datetime.datetime) -> ErasureLedgerEntry:
    return ErasureLedgerEntry.objects.create(
        erased_at=when, user_id_hashes=["a" * 64], email_hashes=["b" * 64]
    )


def test_ledger_entries_go_once_every_backup_kept_is_newer_plus_the_margin(settings):
    settings.BACKUP_KEEP_DAYS = 35
    settings.RETENTION_BATCH_SIZE = 2  # three batches on the ledger's database
    margin = policy("erasure_ledger").days
    old = [ledger_entry(days_ago(35 + margin + 1 + n)) for n in range(5)]
    # A backup of 35 days ago could still be restored over these: they stay.
    needed = [ledger_entry(days_ago(35 + margin - 1)), ledger_entry(days_ago(1))]

    with time_machine.travel(NOW, tick=False):
        dry = purge_category(category="erasure_ledger", dry_run=True)
        assert ErasureLedgerEntry.objects.count() == 7
        run = purge_category(category="erasure_ledger")
        again = purge_category(category="erasure_ledger")

    assert sorted(ErasureLedgerEntry.objects.values_list("pk", flat=True)) == sorted(
        entry.pk for entry in needed
    )
    assert dry.counts == run.counts == {"retention.erasure_ledger": {"deleted": len(old)}}
    assert run.cutoff == days_ago(35 + margin)
    assert again.counts == {}


def test_keeping_backups_longer_keeps_the_ledger_longer(settings):
    settings.BACKUP_KEEP_DAYS = 90
    entry = ledger_entry(days_ago(60))
    with time_machine.travel(NOW, tick=False):
        run = purge_category(category="erasure_ledger")
    assert run.counts == {}
    assert ErasureLedgerEntry.objects.filter(pk=entry.pk).exists()


def test_the_ledger_keeps_its_basis_and_no_other_category_takes_it():
    dpo = DpoFactory()
    with pytest.raises(ValidationError, match="erasure ledger"):
        schedule.retention_policy_update(
            policy=policy("erasure_ledger"),
            basis="event",
            days=1,
            action="delete",
            rationale="Shorter",
            by=dpo,
        )
    with pytest.raises(ValidationError, match="Only the erasure ledger"):
        schedule.retention_policy_update(
            policy=policy("admin_log"),
            basis="backups",
            days=7,
            action="delete",
            rationale="",
            by=dpo,
        )
    assert policy("erasure_ledger").basis == "backups"
    schedule.retention_policy_update(
        policy=policy("erasure_ledger"),
        basis="backups",
        days=14,
        action="delete",
        rationale="",
        by=dpo,
    )
    assert policy("erasure_ledger").days == 14


# --- The schedule in words --------------------------------------------------------------------


def test_the_schedule_in_words_names_the_three_and_their_periods(settings):
    settings.BACKUP_KEEP_DAYS = 35
    kept = {row["information"]: row["kept"] for row in notice_records()["retention"]}
    assert kept["Disclosure log"] == "Kept 6 years after it was recorded"
    assert kept["Admin site changes"] == "Kept 2 years after it was recorded"
    assert kept["Erasure ledger"] == (
        "Kept while a backup older than it may be restored (backups are kept 35 days), then 7 days"
    )
    assert policy("erasure_ledger").kept == (
        "Until no backup older than it is kept (backups are kept 35 days), then 7 days"
    )
    assert selectors.counted_title("retention.erasure_ledger") == "Erasure ledger entries"
    assert selectors.counted_title("accounts.admin_changes") == "Changes made in the admin site"
