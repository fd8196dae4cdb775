"""The webhook endpoints API, /api/v1/webhooks/."""

import json

import pytest

from accounts.models import ApiScope
from audit.models import AuditEntry
from recipients.models import WebhookEndpoint
from recipients.selectors import signing_secrets
from tests.factories import ClientAdminFactory, DpoFactory, OrganisationFactory, api_key_for

pytestmark = pytest.mark.django_db

WEBHOOKS = "/api/v1/webhooks/"
VALID = {"url": "https://hooks.example.com/privacy", "events": ["subject.erased"]}


@pytest.fixture
def organisation():
    return OrganisationFactory(slug="acme")


def key(organisation, scopes=(ApiScope.WEBHOOKS,)):
    _, plain = api_key_for(organisation, scopes=list(scopes))
    return {"HTTP_AUTHORIZATION": f"Api-Key {plain}"}


def post(client, path, body, **extra):
    return client.post(path, json.dumps(body), content_type="application/json", **extra)


def test_a_key_with_the_webhooks_scope_adds_an_endpoint_and_sees_its_secret_once(
    client, organisation
):
    auth = key(organisation)

    created = post(client, WEBHOOKS, VALID, **auth)

    assert created.status_code == 201
    body = created.json()
    assert body["secret"].startswith("whsec_")
    endpoint = WebhookEndpoint.objects.get(pk=body["id"])
    assert endpoint.organisation == organisation
    assert body["secret"] not in endpoint.secret_encrypted  # stored encrypted
    assert signing_secrets(endpoint) == [body["secret"]]
    read = client.get(f"{WEBHOOKS}{endpoint.pk}/", **auth).json()
    assert "secret" not in read
    assert AuditEntry.objects.filter(action="webhook.create").exists()


def test_a_key_without_the_scope_is_refused(client, organisation):
    response = client.get(WEBHOOKS, **key(organisation, scopes=[ApiScope.USERS]))

    assert response.status_code == 403
    assert "webhooks" in response.json()["error"]["message"]


def test_another_organisations_endpoint_reads_as_missing(client, organisation):
    theirs = post(client, WEBHOOKS, VALID, **key(OrganisationFactory())).json()["id"]
    auth = key(organisation)

    assert client.get(WEBHOOKS, **auth).json()["count"] == 0
    assert client.get(f"{WEBHOOKS}{theirs}/", **auth).status_code == 404
    assert client.delete(f"{WEBHOOKS}{theirs}/", **auth).status_code == 404
    assert post(client, f"{WEBHOOKS}{theirs}/rotate-secret/", {}, **auth).status_code == 404
    changed = client.patch(
        f"{WEBHOOKS}{theirs}/", {"active": False}, content_type="application/json", **auth
    )
    assert changed.status_code == 404
    assert WebhookEndpoint.objects.filter(pk=theirs, active=True).exists()


def test_a_client_admin_manages_endpoints_by_session_and_staff_are_refused(
    verified_client, organisation
):
    client = verified_client(ClientAdminFactory(organisation=organisation))

    created = post(client, WEBHOOKS, VALID)
    changed = client.patch(
        f"{WEBHOOKS}{created.json()['id']}/",
        json.dumps({"active": False}),
        content_type="application/json",
    )

    assert created.status_code == 201
    assert changed.status_code == 200 and changed.json()["active"] is False
    assert verified_client(DpoFactory()).get(WEBHOOKS).status_code == 403


def test_plain_http_and_unknown_events_are_form_errors(client, organisation):
    auth = key(organisation)

    http = post(client, WEBHOOKS, {**VALID, "url": "http://hooks.example.com/"}, **auth)
    unknown = post(client, WEBHOOKS, {**VALID, "events": ["subject.cloned"]}, **auth)

    internal = post(client, WEBHOOKS, {**VALID, "url": "https://10.0.0.5/hook"}, **auth)

    assert http.status_code == 400 and "url" in http.json()["error"]["fields"]
    assert internal.status_code == 400 and "public" in str(internal.json()["error"]["fields"])
    assert unknown.status_code == 400 and "events" in unknown.json()["error"]["fields"]
    assert not WebhookEndpoint.objects.exists()


def test_plain_http_to_loopback_is_allowed_only_when_the_setting_says_so(
    client, organisation, settings
):
    auth = key(organisation)
    loopback = {**VALID, "url": "http://127.0.0.1:8765/hook"}

    assert post(client, WEBHOOKS, loopback, **auth).status_code == 400
    settings.WEBHOOKS_ALLOW_HTTP_LOOPBACK = True
    assert post(client, WEBHOOKS, loopback, **auth).status_code == 201


def test_rotating_the_secret_keeps_the_old_one_signing_during_the_overlap(
    client, organisation, time_machine
):
    time_machine.move_to("2026-12-01 10:00Z", tick=False)
    auth = key(organisation)
    first = post(client, WEBHOOKS, VALID, **auth).json()

    rotated = post(client, f"{WEBHOOKS}{first['id']}/rotate-secret/", {"overlap_hours": 2}, **auth)

    assert rotated.status_code == 200
    endpoint = WebhookEndpoint.objects.get(pk=first["id"])
    assert signing_secrets(endpoint) == [rotated.json()["secret"], first["secret"]]
    time_machine.shift(3 * 3600)
    assert signing_secrets(endpoint) == [rotated.json()["secret"]]


def test_deleting_an_endpoint_removes_it(client, organisation):
    auth = key(organisation)
    created = post(client, WEBHOOKS, VALID, **auth).json()

    assert client.delete(f"{WEBHOOKS}{created['id']}/", **auth).status_code == 204
    assert not WebhookEndpoint.objects.exists()


def test_the_list_costs_the_same_queries_however_many_endpoints(
    client, organisation, django_assert_num_queries
):
    auth = key(organisation)
    post(client, WEBHOOKS, VALID, **auth)
    # Two: the count and the page (the key, used by the POST, is remembered in the cache).
    with django_assert_num_queries(2):
        assert client.get(WEBHOOKS, **auth).json()["count"] == 1
    for _ in range(3):
        post(client, WEBHOOKS, VALID, **auth)

    with django_assert_num_queries(2):
        assert client.get(WEBHOOKS, **auth).json()["count"] == 4
