"""The audit trail's retention: its entries are never deleted, but the personal details of
those older than the "audit" policy's period are removed, in batches, each batch recorded in
the trail, and the chain keeps verifying. Legal holds keep a person's entries as they are."""

import datetime

import pytest
import time_machine
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

import audit
from audit.models import AuditEntry
from audit.services import audit_chain_verify
from common import present
from retention.models import LegalHold, RetentionPolicy
from retention.services.purge import purge_category
from tests.factories import DpoFactory, UserFactory

NOW = datetime.datetime(2026, 6, 15, 12, 0, tzinfo=datetime.UTC)
ERASED = "audit.personal_details_erased"


def at(days_ago: int):
    return time_machine.travel(NOW - datetime.timedelta(days=days_ago), tick=False)


@pytest.mark.django_db
def test_old_entries_lose_their_personal_details_and_keep_their_events(settings):
    settings.RETENTION_BATCH_SIZE = 2
    days = RetentionPolicy.objects.get(category="audit").days
    assert days == settings.AUDIT_PERSONAL_DETAILS_DAYS == 2190
    dpo, member = DpoFactory(), UserFactory(full_name="Ann Able")
    with at(days + 1):
        old = [
            audit.record(
                dpo,
                "user.suspend",
                target=member,
                details={"reason": "Spoke to Ann Able", "count": n, "state": "in_progress"},
                ip_address="198.51.100.5",
            )
            for n in range(3)
        ]
        system = audit.record(None, "retention.purge", details={"rows": 5})
    with at(days - 1):
        fresh = audit.record(dpo, "user.suspend", target=member, details={"reason": "recent"})

    with time_machine.travel(NOW, tick=False):
        run = purge_category(category="audit")

    for before in old:
        after = AuditEntry.objects.get(pk=before.pk)
        assert (after.actor_label, after.target_label, after.ip_address) == ("", "", None)
        assert after.details == {"count": before.details["count"], "state": "in_progress"}
        assert (after.action, after.actor_id, after.target_id) == (
            before.action,
            before.actor_id,
            before.target_id,
        )
        assert after.hash == before.hash
    kept = AuditEntry.objects.get(pk=system.pk)
    assert (kept.actor_label, kept.details) == ("system", {"rows": 5})
    assert AuditEntry.objects.get(pk=fresh.pk).details == {"reason": "recent"}
    assert run.counts["audit.trail"] == {"anonymised": 3}
    # One record per batch (two batches of two), never per row.
    records = list(AuditEntry.objects.filter(action=ERASED).order_by("id"))
    assert len(records) == 2
    assert all(r.details["reason"] == "retention" for r in records)
    assert {r.details["purge_run"] for r in records} == {run.pk}
    assert audit_chain_verify().intact

    with time_machine.travel(NOW, tick=False):
        again = purge_category(category="audit")
    assert again.total_anonymised == 0
    assert AuditEntry.objects.filter(action=ERASED).count() == 2
    assert audit_chain_verify().intact


@pytest.mark.django_db
def test_entries_retention_passed_before_lose_the_short_names_it_then_kept():
    """GIVEN an old entry retention marked done while it took "ann" for a code, WHEN the
    purge runs again, THEN "ann" goes, the codes stay and the chain verifies."""
    days = RetentionPolicy.objects.get(category="audit").days
    with at(days + 1):
        entry = audit.record(
            DpoFactory(), "user.suspend", details={"who": "ann", "state": "in_progress"}
        )
    entry.erased_fields, entry.erased_at = {"*": None}, NOW
    AuditEntry.objects.all()._personal_details_blank([entry])

    with time_machine.travel(NOW, tick=False):
        purge_category(category="audit")
        again = purge_category(category="audit")

    after = AuditEntry.objects.get(pk=entry.pk)
    assert after.details == {"state": "in_progress"}
    assert again.total_anonymised == 0
    assert audit_chain_verify().intact


@pytest.mark.django_db
def test_a_legal_hold_keeps_a_persons_old_entries_as_they_are():
    days = RetentionPolicy.objects.get(category="audit").days
    dpo, held, other = DpoFactory(), UserFactory(), UserFactory()
    with at(days + 10):
        about_held = audit.record(dpo, "user.view", target=held)
        about_other = audit.record(dpo, "user.view", target=other)
    LegalHold.objects.create(user=held, reason="A claim", placed_by=dpo, placed_at=NOW)

    with time_machine.travel(NOW, tick=False):
        purge_category(category="audit")

    assert AuditEntry.objects.get(pk=about_held.pk).target_label == about_held.target_label
    assert AuditEntry.objects.get(pk=about_other.pk).target_label == ""
    assert audit_chain_verify().intact


def _migrate(targets) -> None:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)


BEFORE = [("retention", "0009_disclosures_admin_log_ledger_policies")]
AFTER = [("retention", "0010_audit_personal_details_policy")]
OLD_DEFAULT = {
    "basis": "indefinite",
    "days": 2190,
    "action": "data_map",
    "rationale": "The audit trail is append-only, hash-chained evidence of accountability: "
    "never purged by the schedule (deleting its oldest entries would break the chain).",
}


@pytest.mark.django_db(transaction=True)
def test_the_migration_moves_the_old_default_policy_and_keeps_one_the_dpo_set(settings):
    settings.AUDIT_PERSONAL_DETAILS_DAYS = 2555
    try:
        _migrate(BEFORE)
        RetentionPolicy.objects.update_or_create(category="audit", defaults=OLD_DEFAULT)
        _migrate(AFTER)
        moved = RetentionPolicy.objects.get(category="audit")
        assert (moved.basis, moved.days) == ("event", 2555)
        assert "removed" in moved.rationale

        _migrate(BEFORE)  # the reverse puts the old default back
        assert RetentionPolicy.objects.get(category="audit").basis == "indefinite"
        RetentionPolicy.objects.filter(category="audit").update(days=3650, rationale="DPO")
        _migrate(AFTER)
        kept = RetentionPolicy.objects.get(category="audit")
        assert (kept.basis, kept.days, kept.rationale) == ("indefinite", 3650, "DPO")
    finally:
        _migrate(AFTER)


def test_a_person_reads_that_the_events_stay_and_their_details_go(monkeypatch):
    from datamap import registry

    policy = RetentionPolicy(category="audit", basis="event", days=2190)
    trail_only = [registry.entry("audit.trail")]
    monkeypatch.setattr(registry, "entries_in_retention_category", lambda category: trail_only)
    assert policy.kept_for_you == (
        "The record of each action is kept; the personal details in it are removed "
        f"{present.period(2190)} after it was recorded"
    )
