"""Blanking personal details of audit entries: the chain keeps verifying, each blanking is
recorded once in the trail, a kept value changed or a value blanked behind the app's back is
caught and named, and the viewer says what was removed and why."""

import json

import pytest
from django.db import connection, transaction
from django.db.utils import DatabaseError

import audit
from audit.models import AppendOnlyError, AuditEntry
from audit.redaction import expired_fields, impersonal, subject_fields
from audit.services import (
    audit_chain_verify,
    audit_expired_details_erase,
    audit_personal_details_erase,
    audit_subject_details_erase,
)
from datamap import Identifiers
from tests.audit.test_audit import _tamper
from tests.factories import DpoFactory, UserFactory

pytestmark = pytest.mark.django_db

ERASED = "audit.personal_details_erased"
BECAUSE = {"reason": "erasure", "rights_request": "RR-2026-000042"}


def trail():
    dpo, member = DpoFactory(), UserFactory(full_name="Ann Able")
    return [
        audit.record(
            dpo,
            "user.suspend",
            target=member,
            details={"reason": f"Ann Able asked, {n}", "count": n},
            ip_address="198.51.100.7",
        )
        for n in range(3)
    ]


def blank(entries, fields):
    return audit_personal_details_erase(
        entries=AuditEntry.objects.filter(pk__in=[e.pk for e in entries]),
        fields=lambda entry: fields & set(expired_fields(entry)),
        because=BECAUSE,
    )


def test_a_blanked_entry_keeps_its_event_its_mac_and_the_chain_verifies():
    entries = trail()
    assert blank(entries[1:2], {"target_label", "ip_address", "details.reason"}) == 1

    entry = AuditEntry.objects.get(pk=entries[1].pk)
    assert (entry.target_label, entry.ip_address, entry.details) == ("", None, {"count": 1})
    assert entry.actor_label == entries[1].actor_label
    assert (entry.hash, entry.commitments) == (entries[1].hash, entries[1].commitments)
    [record] = AuditEntry.objects.filter(action=ERASED)
    assert record.details == {
        **BECAUSE,
        "entries": 1,
        "blanked": [
            {"fields": ["details.reason", "ip_address", "target_label"], "ids": [[entry.id] * 2]}
        ],
    }
    assert entry.erased_fields == dict.fromkeys(
        ["target_label", "ip_address", "details.reason"], record.id
    )
    result = audit_chain_verify()
    assert result.intact, result.problem
    assert result.checked == 4


def test_blanking_again_changes_nothing_and_records_nothing():
    entries = trail()
    assert blank(entries, {"target_label"}) == 3
    assert blank(entries, {"target_label"}) == 0
    assert AuditEntry.objects.filter(action=ERASED).count() == 1
    assert audit_chain_verify().intact


def test_a_kept_value_of_a_blanked_entry_changed_afterwards_is_caught():
    entries = trail()
    blank(entries, {"details.reason"})
    _tamper(
        "UPDATE audit_auditentry SET details = %s WHERE id = %s", ['{"count": 9}', entries[1].id]
    )

    result = audit_chain_verify()
    assert result.broken_entry_id == entries[1].id
    assert "its detail “count” was changed" in result.problem


@pytest.mark.parametrize(
    ("sql", "params", "field"),
    [
        ("UPDATE audit_auditentry SET actor_label = '' WHERE id = %s", [], "actor"),
        ("UPDATE audit_auditentry SET ip_address = NULL WHERE id = %s", [], "IP address"),
        # The markers filled in too, naming a record that is not there.
        (
            "UPDATE audit_auditentry SET target_label = '', erased_fields = %s WHERE id = %s",
            ['{"target_label": 999999}'],
            "target",
        ),
    ],
)
def test_a_value_blanked_outside_the_app_is_caught(sql, params, field):
    entries = trail()
    _tamper(sql, [*params, entries[1].id])

    result = audit_chain_verify()
    assert result.broken_entry_id == entries[1].id
    assert f"its {field} was removed, and no record of the trail covers the removal" in (
        result.problem
    )


def test_a_blanking_passed_off_under_another_entrys_record_is_caught():
    entries = trail()
    blank(entries[0:1], {"target_label"})
    record = AuditEntry.objects.get(action=ERASED)
    # A real record, but it covers entry 0's target, not entry 1's, nor entry 0's IP address.
    _tamper(
        "UPDATE audit_auditentry SET target_label = '', erased_fields = %s WHERE id = %s",
        [f'{{"target_label": {record.id}}}', entries[1].id],
    )
    assert audit_chain_verify().broken_entry_id == entries[1].id


def test_a_record_of_a_blanking_rewritten_to_cover_more_is_caught():
    entries = trail()
    blank(entries[0:1], {"target_label"})
    record = AuditEntry.objects.get(action=ERASED)
    wider = {**record.details, "blanked": [{"fields": ["target_label"], "ids": [[1, 10**9]]}]}
    _tamper(
        "UPDATE audit_auditentry SET details = %s WHERE id = %s", [json.dumps(wider), record.id]
    )
    _tamper(
        "UPDATE audit_auditentry SET target_label = '', erased_fields = %s WHERE id = %s",
        [f'{{"target_label": {record.id}}}', entries[1].id],
    )

    result = audit_chain_verify()
    assert result.broken_entry_id == record.id
    assert "its detail “blanked” was changed" in result.problem


def test_the_orm_refuses_to_change_an_entry_but_through_the_service():
    entry = trail()[0]
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.filter(pk=entry.pk).update(target_label="")
    entry.target_label = ""
    with pytest.raises(AppendOnlyError):
        entry.save()


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE audit_auditentry SET target_label = 'Bob', erased_at = now() WHERE id = %s",
        "UPDATE audit_auditentry SET target_label = '', erased_at = now() WHERE id = %s",
        "UPDATE audit_auditentry SET action = 'user.view', erased_at = now() WHERE id = %s",
        "UPDATE audit_auditentry SET details = '{}', erased_at = now() WHERE id = %s",
        "DELETE FROM audit_auditentry WHERE id = %s",
    ],
)
def test_postgresql_lets_through_only_a_blanking_named_in_the_markers(requires_postgres, sql):
    entry = trail()[0]
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(sql, [entry.id])
    assert AuditEntry.objects.get(pk=entry.pk).details == entry.details


def test_what_names_a_person_is_found_by_whole_name_and_whole_address():
    identifiers = Identifiers(
        user_ids=frozenset({41}),
        emails=frozenset({"ann@client.example"}),
        names=frozenset({"Ann Able"}),
        ip_addresses=frozenset({"10.0.0.1"}),
    )
    entry = AuditEntry(
        actor_id=7,
        actor_label="dana@company.example",
        target_type="records.Disclosure",
        target_label="Report for Annabel Ablewhite",
        ip_address="110.0.0.12",
        details={
            "about": "Spoke to ann able today",
            "from": "10.0.0.1.",
            "to": "10.0.0.12",
            "who": "ANN@client.example",
            "rows": 3,
        },
    )
    assert subject_fields(entry, identifiers) == {"details.about", "details.from", "details.who"}
    assert impersonal(["in_progress", "RR-2026-000002", 3, None, "2026-12-03T04:54:00.123Z"])
    assert not impersonal("Ann") and not impersonal("10.0.0.1") and not impersonal("a@b.example")
    assert not any(impersonal(name) for name in ("ann", "jdoe", "ann.able", "ann_able", "ANN"))
    assert impersonal(["user.suspend", "BR-12", "audit.trail", {"basis": "created_at"}])


SHORT_NAMES = {"who": "ann", "login": "jdoe", "handle": "ann.able", "names": ["ann", 3]}
CODES = {
    "then": "user.suspend",
    "request": "RR-2026-000002",
    "state": "in_progress",
    "on": "2026-12-03",
    "count": 2,
    "automated": False,
}


@pytest.mark.parametrize("how", ["erasure of the subject", "retention"])
def test_short_lower_case_names_in_details_go_and_codes_and_references_stay(how):
    dpo, member = DpoFactory(), UserFactory(full_name="Ann Able", email="ann@client.example")
    entry = audit.record(dpo, "user.suspend", target=member, details={**SHORT_NAMES, **CODES})
    entries = AuditEntry.objects.filter(pk=entry.pk)

    if how == "retention":
        audit_expired_details_erase(entries, because={"reason": "retention", "purge_run": 7})
    else:
        identifiers = Identifiers(
            user_ids=frozenset({member.pk}),
            emails=frozenset({member.email}),
            names=frozenset({"Ann Able"}),
        )
        audit_subject_details_erase(identifiers, because=BECAUSE)

    assert AuditEntry.objects.get(pk=entry.pk).details == CODES
    result = audit_chain_verify()
    assert result.intact, result.problem


def test_retention_keeps_what_a_record_of_a_blanking_says_so_the_chain_still_verifies():
    entries = trail()
    audit_expired_details_erase(
        AuditEntry.objects.filter(pk__in=[e.pk for e in entries]),
        because={"reason": "retention", "purge_run": 7},
    )
    [record] = AuditEntry.objects.filter(action=ERASED)

    # Years later the record itself expires: it names no one, so it keeps every detail.
    audit_expired_details_erase(AuditEntry.objects.all(), because={"reason": "retention"})

    assert AuditEntry.objects.get(pk=record.pk).details == record.details
    result = audit_chain_verify()
    assert result.intact, result.problem


def test_the_viewer_says_what_was_removed_and_why(verified_client):
    entries = trail()
    blank(entries[0:1], {"target_label", "details.reason"})
    audit_personal_details_erase(
        entries=AuditEntry.objects.filter(pk=entries[1].pk),
        fields=expired_fields,
        because={"reason": "retention", "purge_run": 7},
    )
    client = verified_client(DpoFactory())

    page = client.get("/backoffice/audit/").content.decode()

    assert page.count("removed (erasure of RR-2026-000042)") == 2
    assert "removed (retention)" in page
    assert "Ann Able asked, 2" in page and "Ann Able asked, 0" not in page
