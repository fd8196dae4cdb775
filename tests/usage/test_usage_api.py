import datetime
import json

import pytest
from django.utils import timezone

from records.models import Disclosure
from tests.factories import ClientAdminFactory, OrganisationFactory, UserFactory, api_key_for
from usage.models import UsageEvent
from usage.services import usage_rollup_day

pytestmark = pytest.mark.django_db


def events(n, **extra):
    now = timezone.now()
    return [
        {
            "event_id": f"e{i}",
            "occurred_at": (now - datetime.timedelta(seconds=i)).isoformat(),
            "action": "report.run",
            **extra,
        }
        for i in range(n)
    ]


def post_events(client, plain_key, body):
    return client.post(
        "/api/v1/usage/events/",
        json.dumps(body),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Api-Key {plain_key}",
    )


def test_a_key_with_usage_write_stores_a_batch_and_a_retry_stores_nothing(client):
    key, plain = api_key_for(scopes=["usage:write"])
    first = post_events(client, plain, events(3))
    assert first.status_code == 201
    assert first.json() == {"stored": 3, "duplicates": 0}
    again = post_events(client, plain, events(3))
    assert again.json() == {"stored": 0, "duplicates": 3}
    assert (
        UsageEvent.objects.filter(organisation=key.organisation, action="report.run").count() == 3
    )


def test_more_than_a_thousand_events_is_a_413(client):
    _, plain = api_key_for(scopes=["usage:write"])
    response = post_events(client, plain, events(1001))
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "payload_too_large"
    assert not UsageEvent.objects.filter(action="report.run").exists()


def test_a_bad_item_answers_400_with_its_index_and_stores_nothing(client):
    _, plain = api_key_for(scopes=["usage:write"])
    body = events(3)
    body[1]["occurred_at"] = "not a time"
    response = post_events(client, plain, body)
    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]["items"]) == ["1"]
    assert not UsageEvent.objects.filter(action="report.run").exists()


def test_an_object_instead_of_an_array_is_a_400(client):
    _, plain = api_key_for(scopes=["usage:write"])
    assert post_events(client, plain, {"event_id": "x"}).status_code == 400


def test_a_key_without_the_scope_or_a_session_cannot_send_events(client, verified_client):
    _, plain = api_key_for(scopes=["usage:read"])
    assert post_events(client, plain, events(1)).status_code == 403
    verified_client(ClientAdminFactory())
    response = client.post(
        "/api/v1/usage/events/", json.dumps(events(1)), content_type="application/json"
    )
    assert response.status_code == 403


def test_a_key_cannot_attribute_events_to_another_organisations_user(client):
    _, plain = api_key_for(scopes=["usage:write"])
    stranger = UserFactory()
    response = post_events(client, plain, events(1, user_id=stranger.pk))
    assert response.status_code == 400
    assert "user_id" in response.json()["error"]["fields"]["items"]["0"]


@pytest.fixture
def reported_org():
    org = OrganisationFactory()
    ann = UserFactory(organisation=org, full_name="Ann Able")
    today = timezone.localdate()
    UsageEvent.objects.create(
        occurred_at=timezone.now(), organisation=org, user=ann, action="x", feature="reports"
    )
    usage_rollup_day(day=today)
    return org, ann, today


def test_the_report_as_json_and_csv_is_recorded_as_a_disclosure(client, reported_org):
    org, ann, today = reported_org
    _, plain = api_key_for(org, scopes=["usage:read"])
    auth = {"HTTP_AUTHORIZATION": f"Api-Key {plain}"}
    query = f"?start={today}&end={today}&group_by=user"
    body = client.get(f"/api/v1/usage/report/{query}", **auth).json()
    assert body["rows"][0]["label"].startswith("Ann Able")
    assert body["totals"]["events"] == 1

    as_csv = client.get(f"/api/v1/usage/report/{query}&format=csv", **auth)
    assert as_csv["Content-Type"].startswith("text/csv")
    assert b"Ann Able" in b"".join(as_csv.streaming_content)
    by_accept = client.get(f"/api/v1/usage/report/{query}", HTTP_ACCEPT="text/csv", **auth)
    assert by_accept["Content-Type"].startswith("text/csv")

    disclosures = Disclosure.objects.filter(organisation=org)
    assert disclosures.count() == 3
    assert set(disclosures.first().subjects.values_list("user_id", flat=True)) == {ann.pk}


def test_report_errors_are_json_even_when_csv_was_asked_for(client, reported_org):
    org, _, _ = reported_org
    _, plain = api_key_for(org, scopes=["usage:read"])
    response = client.get(
        "/api/v1/usage/report/?start=2026-02-30&format=csv", HTTP_AUTHORIZATION=f"Api-Key {plain}"
    )
    assert response.status_code == 400
    assert set(response.json()["error"]["fields"]) >= {"start", "end"}


def test_a_report_never_shows_another_organisation(client, reported_org):
    org, _, today = reported_org
    _, plain = api_key_for(scopes=["usage:read"])  # another organisation's key
    body = client.get(
        f"/api/v1/usage/report/?start={today}&end={today}",
        HTTP_AUTHORIZATION=f"Api-Key {plain}",
    ).json()
    assert body["rows"] == []
    assert body["organisation"] != org.slug


def test_the_console_report_page_shows_a_chart_and_an_export_button(verified_client, reported_org):
    org, _, today = reported_org
    client = verified_client(ClientAdminFactory(organisation=org))
    page = client.get(f"/console/usage/?start={today}&end={today}&group_by=feature")
    html = page.content.decode()
    assert page.status_code == 200
    assert "<svg" in html
    assert "reports" in html
    # The CSV is no longer built inside the request: the button asks the worker for it.
    assert 'action="/console/usage/exports/"' in html
    assert "Export CSV" in html
    assert (
        client.get(f"/console/usage/?start={today}&end={today}&download=csv").get(
            "Content-Disposition"
        )
        is None
    )


def test_the_report_page_shows_form_errors_for_a_bad_range(verified_client, reported_org):
    org, _, _ = reported_org
    client = verified_client(ClientAdminFactory(organisation=org))
    page = client.get("/console/usage/?start=2026-11-10&end=2026-11-01")
    assert page.status_code == 200
    assert "must not be before" in page.content.decode()


def test_a_number_beyond_64_bits_is_a_field_error_not_a_parse_error(client):
    # orjson refuses such a number; the parser hands the body to the standard library instead.
    _, plain = api_key_for(scopes=["usage:write"])
    body = json.dumps(events(1)).replace('"action"', '"user_id": 99999999999999999999999, "action"')
    response = client.post(
        "/api/v1/usage/events/",
        body,
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Api-Key {plain}",
    )
    assert response.status_code == 400
    assert "user_id" in response.json()["error"]["fields"]["items"]["0"]
