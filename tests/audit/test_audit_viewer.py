"""The audit-trail viewer, /backoffice/audit/: DPO only, filters, keyset pages, CSV export,
"Verify chain", and each viewing recorded without the personal values of its filters."""

import csv
import datetime
import io

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

import audit
from audit import views
from audit.models import AuditAnchor, AuditEntry
from audit.services import audit_chain_verify_and_alert
from tests.factories import DpoFactory, SupportFactory, UserFactory

pytestmark = pytest.mark.django_db

LIST = "/backoffice/audit/"


@pytest.fixture
def dpo(verified_client):
    user = DpoFactory(email="dpo@privacydesk.test")
    return verified_client(user), user


def shown(response) -> list[int]:
    return [entry.id for entry in response.context["entries"]]


def test_only_the_dpo_opens_the_audit_trail(verified_client):
    assert verified_client(SupportFactory()).get(LIST).status_code == 403
    assert verified_client(UserFactory()).get(LIST).status_code == 403


def test_entries_are_listed_newest_first(dpo):
    client, _ = dpo
    member = UserFactory()
    first = audit.record(None, "user.suspend", target=member)
    second = audit.record(None, "user.reactivate", target=member)

    response = client.get(LIST)

    assert response.status_code == 200
    assert shown(response)[:2] == [second.id, first.id]
    assert "user.reactivate" in response.content.decode()


def test_the_filters_narrow_by_actor_action_target_and_date(dpo):
    client, _ = dpo
    colleague = DpoFactory(email="colleague@privacydesk.test")
    person = UserFactory()
    other = UserFactory()
    viewed = audit.record(colleague, "person.view", target=person)
    suspended = audit.record(colleague, "user.suspend", target=other)
    system = audit.record(None, "retention.purge", details={"category": "usage_events"})

    def ids(**query):
        entries = shown(client.get(LIST, query))
        return [i for i in entries if i in (viewed.id, suspended.id, system.id)]

    assert ids(actor="COLLEAGUE@privacydesk.test") == [suspended.id, viewed.id]
    assert ids(actor="system") == [system.id]
    assert ids(action="person.view") == [viewed.id]
    assert ids(action="user.") == [suspended.id]
    assert ids(target_type="accounts.User", target_id=str(person.pk)) == [viewed.id]
    today = timezone.localdate()
    assert ids(date_from=today.isoformat(), date_to=today.isoformat()) == [
        system.id,
        suspended.id,
        viewed.id,
    ]
    yesterday = today - datetime.timedelta(days=1)
    assert ids(date_to=yesterday.isoformat()) == []


def test_a_date_range_that_ends_before_it_starts_is_refused(dpo):
    client, _ = dpo
    response = client.get(LIST, {"date_from": "2026-05-02", "date_to": "2026-05-01"})
    assert response.status_code == 400
    assert "comes before the start date" in response.content.decode()


def test_pages_are_keyset_pages_older_and_newer(dpo, monkeypatch):
    client, _ = dpo
    monkeypatch.setattr(views, "PAGE_SIZE", 3)
    entries = [audit.record(None, "rights_request.note", details={"n": n}) for n in range(7)]
    newest_first = [e.id for e in reversed(entries)]

    first = client.get(LIST, {"action": "rights_request.note"})
    assert shown(first) == newest_first[:3]
    assert first.context["newer_than"] is None
    older = first.context["older_than"]

    second = client.get(LIST, {"action": "rights_request.note", "before": older})
    assert shown(second) == newest_first[3:6]
    third = client.get(
        LIST, {"action": "rights_request.note", "before": second.context["older_than"]}
    )
    assert shown(third) == newest_first[6:]
    assert third.context["older_than"] is None

    back = client.get(LIST, {"action": "rights_request.note", "after": third.context["newer_than"]})
    assert shown(back) == newest_first[3:6]
    assert f"action=rights_request.note&amp;before={older}" in first.content.decode()


def test_each_viewing_is_recorded_with_its_filters_but_no_personal_values(dpo):
    client, me = dpo
    person = UserFactory(email="someone@example.test")

    client.get(LIST, {"actor": person.email, "action": "person.view", "target_id": person.pk})

    entry = AuditEntry.objects.filter(action="audit.view").latest("id")
    assert entry.actor == me
    assert entry.details["filters"] == {
        "actor": "(set)",
        "action": "person.view",
        "target_id": "(set)",
    }
    assert "someone@example.test" not in str(entry.details)
    assert str(person.pk) not in str(entry.details)


def test_the_csv_export_streams_the_filtered_entries_with_formulas_neutralised(dpo):
    client, me = dpo
    audit.record(None, "processing.export", details={"note": "=HYPERLINK(1)"})
    audit.record(None, "processing.update")

    response = client.get(reverse("audit:export"), {"action": "processing.export"})

    assert response.status_code == 200
    assert response.streaming
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0][:4] == ["id", "created_at", "actor", "action"]
    assert [row[3] for row in rows[1:]] == ["processing.export"]
    assert AuditEntry.objects.filter(action="audit.export", actor=me).exists()


def test_a_formula_in_a_cell_is_neutralised(dpo):
    client, _ = dpo
    audit.record(None, "processing.export", target=UserFactory(full_name="=cmd|' /C calc'!A0"))
    body = b"".join(client.get(reverse("audit:export")).streaming_content).decode()
    assert "'=cmd" in body


def test_verify_chain_runs_the_verification_and_records_its_result(
    dpo, django_capture_on_commit_callbacks
):
    client, me = dpo
    audit.record(None, "rights_request.note")

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("audit:verify"))

    assert response.status_code == 302
    requested = AuditEntry.objects.get(action="audit.verify_requested")
    assert requested.actor == me
    result = AuditEntry.objects.get(action="audit.verify")
    assert result.details["broken_entry_id"] is None
    # Everything before the result entry was checked, the request included.
    assert result.details["checked"] == AuditEntry.objects.filter(id__lt=result.id).count()
    page = client.get(LIST, {"action": "audit.verify"}).content.decode()
    assert "audit.verify" in page


def test_verify_chain_only_answers_post_and_only_to_the_dpo(verified_client):
    assert verified_client(SupportFactory()).post(reverse("audit:verify")).status_code == 403
    dpo = verified_client(DpoFactory())
    assert dpo.get(reverse("audit:verify")).status_code == 405


def _tamper(sql, params):
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE audit_auditentry DISABLE TRIGGER audit_entry_append_only")
        cursor.execute(sql, params)
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE audit_auditentry ENABLE TRIGGER audit_entry_append_only")


def test_the_nightly_verification_records_a_broken_chain_with_the_broken_id(mailoutbox):
    entries = [audit.record(None, "rights_request.note", details={"n": n}) for n in range(3)]
    _tamper("UPDATE audit_auditentry SET details = %s WHERE id = %s", ['{"n": 99}', entries[1].id])

    audit_chain_verify_and_alert()

    result = AuditEntry.objects.get(action="audit.verify")
    assert result.actor is None and result.actor_label == "system"
    assert result.details["broken_entry_id"] == entries[1].id
    assert result.details["checked"] == 1
    assert len(mailoutbox) == 1


def test_the_page_shows_the_latest_anchor_and_the_last_verification(dpo):
    client, _ = dpo
    assert "none yet: the first verification records one" in client.get(LIST).content.decode()
    audit.record(None, "rights_request.note")

    audit_chain_verify_and_alert()

    anchor = AuditAnchor.objects.get()
    page = client.get(LIST).content.decode()
    assert f"#{anchor.id}," in page
    assert f"head entry #{anchor.entry_id} of 2" in page
    assert anchor.entry_hash[:16] in page
    assert "Chain intact</strong>: 2 entries and 0 anchors, checked" in page
    # The verification's own entry reads as pairs, not as a Python dict.
    assert "{'checked'" not in page
    assert "<dt>Checked</dt><dd>2</dd>" in page


def test_the_page_shows_a_broken_chain_and_where(dpo):
    client, _ = dpo
    entries = [audit.record(None, "rights_request.note", details={"n": n}) for n in range(3)]
    _tamper("UPDATE audit_auditentry SET details = %s WHERE id = %s", ['{"n": 99}', entries[1].id])

    audit_chain_verify_and_alert()

    page = client.get(LIST).content.decode()
    assert f"Chain broken at entry #{entries[1].id}</strong>: its detail “n” was changed" in page
    assert AuditAnchor.objects.count() == 0


# A page of the trail: session, user and OTP device (3, the middleware), the page of
# entries (1), then the "audit.view" entry: a savepoint, the previous hash, the insert and
# the release (4 on SQLite; PostgreSQL adds the advisory lock), then the latest anchor and
# the latest "audit.verify" entry shown above the table (2). No COUNT of the trail.
def _page_queries() -> int:
    return 10 + (1 if connection.vendor == "postgresql" else 0)


@pytest.mark.parametrize("n", [5, 60])
def test_a_page_runs_the_same_queries_whatever_the_trail_holds(n, dpo, django_assert_num_queries):
    client, _ = dpo
    for i in range(n):
        audit.record(None, "rights_request.note", details={"n": i})
    last = AuditEntry.objects.latest("id").id

    with django_assert_num_queries(_page_queries()):
        client.get(LIST)
    with django_assert_num_queries(_page_queries()):
        client.get(LIST, {"before": last - 2, "action": "rights_request.note"})


def test_behind_the_load_balancer_each_viewing_records_the_dpos_address_not_the_proxys(
    dpo, settings
):
    """GIVEN the app behind one proxy (HAProxy), which appends the address it saw
    WHEN the DPO lists, exports and asks for a verification
    THEN each of those entries names the DPO's address, as every other record does."""
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 1}
    client, _ = dpo
    through_proxy = {"REMOTE_ADDR": "10.0.0.2", "HTTP_X_FORWARDED_FOR": "198.51.100.7"}

    client.get(LIST, **through_proxy)
    client.get(reverse("audit:export"), **through_proxy)
    client.post(reverse("audit:verify"), **through_proxy)

    recorded = AuditEntry.objects.filter(
        action__in=["audit.view", "audit.export", "audit.verify_requested"]
    ).values_list("action", "ip_address")
    assert sorted(recorded) == [
        ("audit.export", "198.51.100.7"),
        ("audit.verify_requested", "198.51.100.7"),
        ("audit.view", "198.51.100.7"),
    ]
