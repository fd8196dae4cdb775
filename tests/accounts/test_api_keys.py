"""API-key authentication: valid keys, refused keys, and the failure accounting per IP.

django-axes never sees API keys, so failed key authentications are counted here: at
API_KEY_FAILURE_LIMIT from one IP, accounts.security.api_key_failure_burst runs once and the
IP's keys answer 429 until the window ends.
"""

import time
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

import accounts.security
from accounts.authentication import ApiKeyPrincipal
from accounts.models import ApiScope, Investigation, Organisation
from tests.factories import OrganisationFactory, UserFactory, api_key_for

pytestmark = pytest.mark.django_db

USERS = "/api/v1/users/"


def call(client, plain, ip="203.0.113.7"):
    return client.get(USERS, HTTP_AUTHORIZATION=f"Api-Key {plain}", REMOTE_ADDR=ip)


@pytest.fixture
def key_and_plain():
    return api_key_for(OrganisationFactory(slug="acme"), scopes=[ApiScope.USERS])


@pytest.fixture
def burst_calls(monkeypatch):
    """Every call of api_key_failure_burst, which still runs (it opens an investigation)."""
    calls = []
    real = accounts.security.api_key_failure_burst

    def spy(**kwargs):
        calls.append(kwargs)
        return real(**kwargs)

    monkeypatch.setattr(accounts.security, "api_key_failure_burst", spy)
    return calls


def test_a_valid_key_authenticates_as_its_organisation_not_as_a_user(client, key_and_plain):
    key, plain = key_and_plain
    UserFactory(organisation=key.organisation)

    response = call(client, plain)

    assert response.status_code == 200
    principal = response.wsgi_request.user
    assert isinstance(principal, ApiKeyPrincipal)
    assert principal.is_api_key and principal.is_authenticated
    assert principal.pk is None
    assert principal.organisation == key.organisation
    assert principal.get_username() == f"api-key:{key.prefix} (acme)"


def test_last_used_is_written_at_most_once_a_minute(
    client, key_and_plain, django_assert_num_queries, settings
):
    settings.USAGE_LOGGING_ENABLED = False  # its insert is pinned in its own tests
    key, plain = key_and_plain
    UserFactory(organisation=key.organisation)
    start = timezone.now()

    with time_machine.travel(start, tick=False):
        call(client, plain)
        key.refresh_from_db()
        assert key.last_used_at == start

        # 1 the key, 2 the count, 3 the page: no UPDATE within the minute
        with django_assert_num_queries(3):
            call(client, plain)

    with time_machine.travel(start + timedelta(seconds=61), tick=False):
        call(client, plain)
    key.refresh_from_db()
    assert key.last_used_at == start + timedelta(seconds=61)


def test_a_bad_key_is_a_401_with_a_challenge(client):
    response = call(client, "abcdefgh.not-the-right-secret")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Api-Key"
    assert response.json()["error"]["code"] == "authentication_failed"


def test_a_right_prefix_with_a_wrong_secret_is_a_401(client, key_and_plain):
    key, _ = key_and_plain
    assert call(client, f"{key.prefix}.wrong-secret").status_code == 401


@pytest.mark.parametrize(
    "header", ["Api-Key", "Api-Key one two", "Api-Key " + "x" * 500, "Api-Key clé.ünïcode"]
)
def test_a_malformed_header_is_a_401_not_a_500(client, header):
    response = client.get(USERS, HTTP_AUTHORIZATION=header)
    assert response.status_code == 401


def test_a_revoked_key_is_a_401(client, key_and_plain):
    key, plain = key_and_plain
    key.revoked = True
    key.save()
    assert call(client, plain).status_code == 401


def test_an_expired_key_is_a_401(client, key_and_plain):
    key, plain = key_and_plain
    key.expiry_date = timezone.now() - timedelta(minutes=1)
    key.save()
    assert call(client, plain).status_code == 401


def test_a_key_of_a_suspended_organisation_is_a_401(client, key_and_plain):
    key, plain = key_and_plain
    Organisation.objects.filter(pk=key.organisation_id).update(status=Organisation.Status.SUSPENDED)
    assert call(client, plain).status_code == 401


def test_repeated_bad_keys_from_one_ip_are_throttled_and_reported_once(
    client, key_and_plain, settings, burst_calls
):
    settings.API_KEY_FAILURE_LIMIT = 5
    _, good = key_and_plain

    statuses = [call(client, f"bad{n}.secret", ip="198.51.100.9").status_code for n in range(5)]
    assert statuses == [401] * 5
    assert burst_calls == [{"ip_address": "198.51.100.9", "failures": 5}]

    # Over the limit, the key is not even looked at: a good key from that IP is refused too.
    assert call(client, "bad.again", ip="198.51.100.9").status_code == 429
    refused = call(client, good, ip="198.51.100.9")
    assert refused.status_code == 429
    assert refused.json()["error"]["code"] == "throttled"
    assert int(refused["Retry-After"]) > 0
    assert len(burst_calls) == 1

    # The effect: one investigation of the burst, naming the IP.
    investigation = Investigation.objects.get(rule="api_key_failure_burst")
    assert investigation.ip_address == "198.51.100.9"

    # Another IP is not affected.
    assert call(client, good, ip="198.51.100.10").status_code == 200


def test_the_failure_window_ends_and_the_count_starts_again(client, key_and_plain, settings):
    settings.API_KEY_FAILURE_LIMIT = 2
    settings.API_KEY_FAILURE_WINDOW_SECONDS = 1
    _, good = key_and_plain
    for n in range(2):
        call(client, f"bad{n}.secret")
    assert call(client, good).status_code == 429

    time.sleep(1.2)  # the window is a cache expiry, in real time in Redis too

    assert call(client, good).status_code == 200


def test_requests_without_a_key_are_not_throttled_by_key_failures(client, settings):
    settings.API_KEY_FAILURE_LIMIT = 1
    call(client, "bad.secret")
    # No Api-Key header: the session path answers as usual (anonymous here).
    response = client.get(USERS, REMOTE_ADDR="203.0.113.7")
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "not_authenticated"


def test_the_key_never_reaches_the_logs(client, key_and_plain, caplog, settings):
    settings.API_KEY_FAILURE_LIMIT = 2
    _, plain = key_and_plain
    secret = "bad.this-secret-must-not-be-logged"
    with caplog.at_level("DEBUG"):
        call(client, plain)
        call(client, secret)
        call(client, secret)
        call(client, secret)
    logged = caplog.text
    assert plain not in logged
    assert "this-secret-must-not-be-logged" not in logged


def test_each_key_has_its_own_request_rate(client, key_and_plain, monkeypatch):
    from accounts.authentication import UserOrKeyRateThrottle

    monkeypatch.setattr(UserOrKeyRateThrottle, "rate", "2/minute", raising=False)
    key, plain = key_and_plain
    _, other = api_key_for(key.organisation, scopes=[ApiScope.USERS])

    assert [call(client, plain).status_code for _ in range(3)] == [200, 200, 429]
    assert call(client, other).status_code == 200
