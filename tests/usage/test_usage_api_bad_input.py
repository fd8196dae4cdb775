"""Crafted input to the usage-events batch API answers 400 with the per-item error, never 500.

Each case is an item of an otherwise good batch; nothing of the batch may be stored.
"""

import json

import pytest

from tests.factories import UserFactory, api_key_for
from tests.usage.test_usage_api import events
from usage.models import IngestedEventId, UsageEvent

pytestmark = pytest.mark.django_db

NUL = "\x00"
SURROGATE = "\ud800"


def post_raw(client, plain_key, body: str):
    return client.post(
        "/api/v1/usage/events/",
        body,
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Api-Key {plain_key}",
    )


def sent_events(organisation):
    # Without Redis the API call itself is logged at once, as an event with no event id.
    return UsageEvent.objects.filter(organisation=organisation).exclude(event_id="")


BAD_ITEMS = {
    "NUL in action": ("action", f"report{NUL}run"),
    "NUL in feature": ("feature", f"reports{NUL}"),
    "NUL in path": ("path", f"/app/{NUL}/reports"),
    "NUL in event_id": ("event_id", f"e{NUL}1"),
    "NUL in user_email": ("user_email", f"ann{NUL}@example.test"),
    "NUL in user_agent": ("user_agent", f"Mozilla/5.0{NUL}"),
    "NUL in purpose": ("purpose", f"self{NUL}service"),
    "NUL in ip_address": ("ip_address", f"10.0.0.1{NUL}"),
    "a boolean user_id": ("user_id", True),
    "a user_id as a string": ("user_id", "12"),
    "an IPv6 address with a zone id": ("ip_address", "fe80::1%eth0"),
    "an over-long action": ("action", "a" * 61),
    "an over-long feature": ("feature", "f" * 101),
    "an over-long event_id": ("event_id", "e" * 101),
    "an over-long user_email": ("user_email", "a" * 250 + "@example.test"),
    "an over-long user_agent": ("user_agent", "M" * 513),
}


@pytest.mark.parametrize(("field", "value"), list(BAD_ITEMS.values()), ids=list(BAD_ITEMS))
def test_a_crafted_field_answers_400_with_the_items_field_error_and_stores_nothing(
    client, field, value
):
    key, plain = api_key_for(scopes=["usage:write"])
    UserFactory(organisation=key.organisation, email="ann@example.test")
    body = events(3)
    body[1][field] = value

    response = post_raw(client, plain, json.dumps(body))

    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid"
    assert list(error["fields"]["items"]) == ["1"]
    assert field in error["fields"]["items"]["1"]
    assert not sent_events(key.organisation).exists()
    assert not IngestedEventId.objects.filter(organisation=key.organisation).exists()


SURROGATE_FIELDS = ["feature", "event_id", "action", "path", "user_email", "user_agent"]


@pytest.mark.parametrize("field", SURROGATE_FIELDS)
def test_a_lone_surrogate_in_any_field_is_refused_by_the_parser_and_stores_nothing(client, field):
    # No JSON endpoint lets a lone surrogate through (common.parsers): UTF-8 cannot hold one.
    key, plain = api_key_for(scopes=["usage:write"])
    body = events(3)
    body[1][field] = f"x{SURROGATE}"

    response = post_raw(client, plain, json.dumps(body))

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "parse_error"
    assert not sent_events(key.organisation).exists()
    assert not IngestedEventId.objects.filter(organisation=key.organisation).exists()


def test_a_crafted_field_name_is_an_unknown_field_error_that_renders_as_json(client):
    _, plain = api_key_for(scopes=["usage:write"])
    body = events(1)
    body[0][f"x{NUL}\x01"] = 1

    response = post_raw(client, plain, json.dumps(body))

    assert response.status_code == 400
    [(name, messages)] = response.json()["error"]["fields"]["items"]["0"].items()
    assert messages == ["Unknown field."]
    assert "\x00" not in name


def test_a_retried_batch_with_a_crafted_event_id_answers_400_and_stores_nothing(client):
    key, plain = api_key_for(scopes=["usage:write"])
    assert post_raw(client, plain, json.dumps(events(2))).status_code == 201
    body = events(3)  # e0 and e1 are known: the careful path
    body[2]["event_id"] = f"e{NUL}2"

    response = post_raw(client, plain, json.dumps(body))

    assert response.status_code == 400
    assert "event_id" in response.json()["error"]["fields"]["items"]["2"]
    assert sent_events(key.organisation).count() == 2
