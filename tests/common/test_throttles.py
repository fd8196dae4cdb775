"""The REST API's rate limits (common.throttles): fixed windows, one count per request."""

import pytest

from accounts.authentication import UserOrKeyRateThrottle
from accounts.models import ApiScope
from common.throttles import AnonRateThrottle
from tests.factories import OrganisationFactory, api_key_for

pytestmark = pytest.mark.django_db

USERS = "/api/v1/users/"


def test_past_the_rate_a_key_gets_429_with_the_time_its_window_has_left(client, monkeypatch):
    monkeypatch.setattr(UserOrKeyRateThrottle, "rate", "3/minute", raising=False)
    _, plain = api_key_for(OrganisationFactory(), scopes=[ApiScope.USERS])

    statuses = [
        client.get(USERS, HTTP_AUTHORIZATION=f"Api-Key {plain}").status_code for _ in range(4)
    ]
    refused = client.get(USERS, HTTP_AUTHORIZATION=f"Api-Key {plain}")

    assert statuses == [200, 200, 200, 429]
    assert refused.status_code == 429
    assert refused.json()["error"]["code"] == "throttled"
    assert 0 < int(refused["Retry-After"]) <= 60


def test_anonymous_callers_are_counted_per_client_ip(client, monkeypatch):
    monkeypatch.setattr(AnonRateThrottle, "rate", "2/minute", raising=False)
    # Anyone may ask after a request; an unknown reference is a 404 within the rate.
    url = "/api/v1/rights-requests/RR-2026-999999/"

    first = [client.get(url, REMOTE_ADDR="203.0.113.1").status_code for _ in range(3)]
    other = client.get(url, REMOTE_ADDR="203.0.113.2").status_code

    assert first == [404, 404, 429]
    assert other == 404


def test_the_count_is_one_integer_per_caller_not_a_history(client, monkeypatch):
    from django.core.cache import cache

    monkeypatch.setattr(UserOrKeyRateThrottle, "rate", "1000/minute", raising=False)
    key, plain = api_key_for(OrganisationFactory(), scopes=[ApiScope.USERS])

    for _ in range(5):
        client.get(USERS, HTTP_AUTHORIZATION=f"Api-Key {plain}")

    assert cache.get(UserOrKeyRateThrottle().key_bucket(key.hashed_key)) == 5


def test_a_caller_who_knows_only_a_key_s_prefix_does_not_use_up_its_rate(
    client, monkeypatch, settings
):
    monkeypatch.setattr(UserOrKeyRateThrottle, "rate", "2/minute", raising=False)
    settings.API_KEY_FAILURE_LIMIT = 100
    key, plain = api_key_for(OrganisationFactory(), scopes=[ApiScope.USERS])

    guesses = [
        client.get(USERS, HTTP_AUTHORIZATION=f"Api-Key {key.prefix}.guess{n}").status_code
        for n in range(3)
    ]

    assert guesses == [401, 401, 401]
    assert client.get(USERS, HTTP_AUTHORIZATION=f"Api-Key {plain}").status_code == 200
