"""Erasure: the preview lists what goes and what stays (and why); the run leaves the subject's
e-mail, name and IP only in the kept items; a second run changes nothing more."""

import pytest
from django.db import connection
from django.urls import reverse

from accounts.models import User
from audit.models import AuditEntry
from datamap import Retain, registry
from datamap.engines import export_subject
from dsar.executors.access import request_subject
from dsar.executors.erasure import erasure_run
from dsar.models import RequestEvent, RequestKind
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
    "audit_auditentry": "the append-only audit trail (accountability)",
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
    assert preview["audit.trail"].action == "kept"
    assert preview["audit.trail"].reason == registry.entry("audit.trail").erasure.reason
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


def test_erasure_leaves_the_subject_only_in_the_kept_items_and_runs_twice_to_the_same_end(
    client, verified_client
):
    user, request, dpo = seed_subject(kind=RequestKind.ERASURE)
    needles = [SUBJECT_EMAIL, SUBJECT_NAME, SUBJECT_IP]
    before = scan_database(needles)
    assert {"accounts_user", "usage_usageevent", "accounts_usersession"} <= set(before)

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
    assert "audit.trail | kept |" in report.body
    entry = AuditEntry.objects.get(action="rights_request.erasure_run")
    assert {o["entry"] for o in entry.details["outcomes"]} == {e.name for e in registry.entries()}

    # An access export for the subject now shows only kept items (and the anonymised account).
    subject = request_subject(request)
    kept = erasure_exceptions(subject, terminate_account=True)
    exported = {s.entry.name: s.rows for s in export_subject(subject) if s.rows}
    assert set(exported) - set(kept) <= {"accounts.contact", "accounts.login"}
    assert exported["accounts.contact"][0]["full_name"] == "Erased user"

    # Running it again changes nothing more.
    snapshot = {s.entry.name: s.rows for s in export_subject(subject)}
    erasure_run(request=request, terminate_account=True, by=dpo)
    assert {s.entry.name: s.rows for s in export_subject(subject)} == snapshot
    assert scan_database(needles).keys() == leftovers.keys()
