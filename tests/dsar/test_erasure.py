"""Erasure: the preview lists what goes and what stays (and why); the run leaves the subject's
e-mail, name and IP only in the kept items (the audit trail keeps its events but not them); a
second run changes nothing more."""

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

import audit
from accounts.models import User
from audit.models import AuditEntry
from audit.services import audit_chain_verify
from datamap import Retain, registry
from datamap.engines import export_subject
from dsar.executors.access import request_subject
from dsar.executors.erasure import erasure_run
from dsar.models import RequestEvent, RequestKind
from retention.models import LegalHold
from retention.selectors import ACCOUNT_ACTIVE, erasure_exceptions
from tests.dsar.test_access_package import (
    SUBJECT_EMAIL,
    SUBJECT_IP,
    SUBJECT_NAME,
    seed_subject,
)
from tests.factories import TEST_PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


# Tables where the subject's details may stay after erasure, and why (each is a kept entry).
ALLOWED_TABLES = {
    "dsar_rightsrequest": "the rights request itself: proof it was answered (Art. 5(2))",
    "dsar_requestevent": "the request's timeline, including the erasure report",
    "dsar_rectificationitem": "corrections asked for on a rights request",
    "dsar_packagedownload": "who received a copy of the data (kept with the requests)",
    "audit_disclosure": "the record of disclosures (Arts. 5(2) and 30)",
    "accounts_investigation": "security investigations: legal claims (Art. 17(3)(e))",
    "accounts_investigationnote": "notes of security investigations (same reason)",
    "breaches_breach": "the breach register: every breach documented (Art. 33(5))",
    "django_admin_log": "privileged changes in the admin (accountability)",
    "recipients_notice": "recipients told to erase (Art. 19): the address until they confirm",
}


def scan_database(needles: list[str]) -> dict[str, set[str]]:
    """Every column of every table, read as text, searched for each needle."""
    found: dict[str, set[str]] = {}
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            columns = connection.introspection.get_table_description(cursor, table)
            for column in columns:
                for needle in needles:
                    cursor.execute(
                        f"SELECT 1 FROM {quote(table)} "  # noqa: S608 (names from introspection)
                        f"WHERE LOWER(CAST({quote(column.name)} AS TEXT)) LIKE %s LIMIT 1",
                        [f"%{needle.lower()}%"],
                    )
                    if cursor.fetchone():
                        found.setdefault(table, set()).add(f"{column.name}:{needle}")
    return found


def test_the_preview_lists_what_is_deleted_anonymised_and_kept_with_reasons(
    client, verified_client
):
    _user, request, dpo = seed_subject(kind=RequestKind.ERASURE)
    verified_client(dpo)
    url = reverse("executors:erasure", kwargs={"reference": request.reference})
    response = client.get(url)
    assert response.status_code == 200
    preview = {outcome.entry.name: outcome for outcome in response.context["preview"]}
    assert set(preview) == {entry.name for entry in registry.entries()}
    # Kept while the account stays active, with the reason; the audit trail by its Retain.
    assert preview["accounts.contact"].action == "kept"
    assert preview["accounts.contact"].reason == ACCOUNT_ACTIVE
    # The audit trail keeps its events and loses what names the person.
    assert preview["audit.trail"].action == "anonymised"
    assert preview["audit.trail"].rows == 3
    assert b"Personal details removed, events kept" in response.content
    assert preview["usage.events"].action == "anonymised"
    assert preview["usage.events"].rows == 1
    assert preview["accounts.sessions"].action == "deleted"
    assert ACCOUNT_ACTIVE.encode()[:40] in response.content
    terminated = client.get(url, {"terminate": "1"}).context["preview"]
    contact = next(o for o in terminated if o.entry.name == "accounts.contact")
    assert contact.action == "anonymised"
    # Nothing changed by looking.
    assert User.objects.filter(email=SUBJECT_EMAIL).exists()


def test_every_kept_entry_has_a_reason_and_one_function_decides():
    _user, request, _dpo = seed_subject(kind=RequestKind.ERASURE)
    subject = request_subject(request)
    active = erasure_exceptions(subject, terminate_account=False)
    ended = erasure_exceptions(subject, terminate_account=True)
    retained = {e.name for e in registry.entries() if isinstance(e.erasure, Retain)}
    assert set(ended) == retained
    assert set(active) > retained
    assert all(active.values())


def test_a_wrong_password_refuses_the_erasure(client, verified_client):
    user, request, dpo = seed_subject(kind=RequestKind.ERASURE)
    verified_client(dpo)
    response = client.post(
        reverse("executors:erasure", kwargs={"reference": request.reference}),
        {"password": "not it", "terminate_account": "on"},
    )
    assert response.status_code == 400
    assert b"That is not your password" in response.content
    user.refresh_from_db()
    assert user.email == SUBJECT_EMAIL
    assert user.status == User.Status.ACTIVE


def audit_entries_naming_the_subject() -> dict[str, AuditEntry]:
    """Entries that name the person without being by or about their account: a failed login
    from their address, with their e-mail in the details; and one from an address that only
    starts like theirs, which is someone else's."""
    return {
        "their login": audit.record(
            None,
            "security.investigation",
            details={"username": SUBJECT_EMAIL, "attempts": 3, "note": f"{SUBJECT_NAME} again"},
            ip_address=SUBJECT_IP,
        ),
        "someone else": audit.record(
            None,
            "security.investigation",
            details={"username": "someone@else.example", "attempts": 1},
            ip_address=SUBJECT_IP[:-1],
        ),
    }


def test_erasure_leaves_the_subject_only_in_the_kept_items_and_runs_twice_to_the_same_end(
    client, verified_client
):
    user, request, dpo = seed_subject(kind=RequestKind.ERASURE)
    entries = audit_entries_naming_the_subject()
    needles = [SUBJECT_EMAIL, SUBJECT_NAME, SUBJECT_IP]
    before = scan_database(needles)
    assert {"accounts_user", "usage_usageevent", "accounts_usersession"} <= set(before)
    assert {"actor_label", "target_label", "details", "ip_address"} <= {
        hit.split(":")[0] for hit in before["audit_auditentry"]
    }

    verified_client(dpo)
    response = client.post(
        reverse("executors:erasure", kwargs={"reference": request.reference}),
        {"password": TEST_PASSWORD, "terminate_account": "on"},
    )
    assert response.status_code == 302

    user.refresh_from_db()
    assert user.status == User.Status.TERMINATED
    assert user.email != SUBJECT_EMAIL
    leftovers = scan_database(needles)
    # Partitions of usage events (PostgreSQL) hold nothing of the subject either.
    unexpected = {table: hits for table, hits in leftovers.items() if table not in ALLOWED_TABLES}
    assert unexpected == {}

    report = RequestEvent.objects.filter(request=request, body__startswith="Erasure run").get()
    assert "usage.events | anonymised | 1" in report.body
    assert "audit.trail | anonymised | 5" in report.body
    # The events stay; what named the person went, each key of the details on its own.
    login = AuditEntry.objects.get(pk=entries["their login"].pk)
    assert (login.action, login.ip_address, login.details) == (
        "security.investigation",
        None,
        {"attempts": 3},
    )
    other = AuditEntry.objects.get(pk=entries["someone else"].pk)
    assert (other.ip_address, other.erased_fields) == (SUBJECT_IP[:-1], {})
    [record] = AuditEntry.objects.filter(action="audit.personal_details_erased")
    assert record.details["rights_request"] == request.reference
    assert {"details.username", "details.note", "ip_address"} <= {
        name for group in record.details["blanked"] for name in group["fields"]
    }
    assert audit_chain_verify().intact
    entry = AuditEntry.objects.get(action="rights_request.erasure_run")
    assert {o["entry"] for o in entry.details["outcomes"]} == {e.name for e in registry.entries()}

    # An access export for the subject now shows only kept items (and the anonymised account).
    subject = request_subject(request)
    kept = erasure_exceptions(subject, terminate_account=True)
    exported = {s.entry.name: s.rows for s in export_subject(subject) if s.rows}
    assert set(exported) - set(kept) <= {"accounts.contact", "accounts.login", "audit.trail"}
    # The audit trail's events by or about them stay, naming them no more.
    assert not [row for row in exported["audit.trail"] if set(row.values()) & set(needles)]
    assert exported["accounts.contact"][0]["full_name"] == "Erased user"

    # Running it again changes nothing more.
    snapshot = {s.entry.name: s.rows for s in export_subject(subject)}
    erasure_run(request=request, terminate_account=True, by=dpo)
    assert {s.entry.name: s.rows for s in export_subject(subject)} == snapshot
    assert scan_database(needles).keys() == leftovers.keys()
    assert AuditEntry.objects.filter(action="audit.personal_details_erased").count() == 1
    assert audit_chain_verify().intact


def test_a_legal_hold_keeps_the_audit_trail_naming_the_person(client, verified_client):
    user, request, dpo = seed_subject(kind=RequestKind.ERASURE)
    audit_entries_naming_the_subject()
    LegalHold.objects.create(user=user, reason="A claim", placed_by=dpo, placed_at=timezone.now())

    outcomes = {
        o.entry.name: o for o in erasure_run(request=request, terminate_account=True, by=dpo)
    }

    assert outcomes["audit.trail"].action == "kept"
    assert "legal hold" in outcomes["audit.trail"].reason
    assert "audit_auditentry" in scan_database([SUBJECT_EMAIL, SUBJECT_NAME, SUBJECT_IP])
    assert not AuditEntry.objects.filter(action="audit.personal_details_erased").exists()
