"""Verified API keys are remembered in the cache (accounts.api_key_cache): no database lookup
per request, and still no request served with a key once the app has revoked it."""

import time
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from accounts.api_key_cache import credential_remember
from accounts.models import ApiScope, Organisation, OrganisationAPIKey
from accounts.services.api_keys import api_key_revoke
from accounts.services.organisations import organisation_close
from tests.factories import ClientAdminFactory, DpoFactory, OrganisationFactory, api_key_for

pytestmark = pytest.mark.django_db

USERS = "/api/v1/users/"


def call(client, plain):
    return client.get(USERS, HTTP_AUTHORIZATION=f"Api-Key {plain}", REMOTE_ADDR="203.0.113.7")


@pytest.fixture
def organisation():
    return OrganisationFactory(slug="acme")


@pytest.fixture
def admin(organisation):
    return ClientAdminFactory(organisation=organisation)


@pytest.fixture
def key_and_plain(organisation, admin):
    return api_key_for(organisation, scopes=[ApiScope.USERS], created_by=admin)


def test_a_remembered_key_is_not_looked_up_again(
    client, key_and_plain, settings, django_assert_num_queries
):
    settings.USAGE_LOGGING_ENABLED = False
    _, plain = key_and_plain
    assert call(client, plain).status_code == 200

    # the page with its count: nothing for the key, nor for its organisation.
    with django_assert_num_queries(1):
        response = call(client, plain)

    assert response.status_code == 200
    principal = response.wsgi_request.user
    assert principal.get_username() == f"api-key:{principal.api_key.prefix} (acme)"


def test_a_key_revoked_in_the_console_is_refused_at_its_next_request(
    client, key_and_plain, admin, django_capture_on_commit_callbacks
):
    key, plain = key_and_plain
    assert call(client, plain).status_code == 200

    with django_capture_on_commit_callbacks(execute=True):
        api_key_revoke(key=key, by=admin)

    assert call(client, plain).status_code == 401


def test_a_request_that_read_the_key_before_its_revocation_cannot_remember_it_again(
    client, key_and_plain, admin, django_capture_on_commit_callbacks
):
    key, plain = key_and_plain
    read_before = OrganisationAPIKey.objects.select_related("organisation").get(pk=key.pk)
    with django_capture_on_commit_callbacks(execute=True):
        api_key_revoke(key=key, by=admin)

    credential_remember(read_before)  # the slow request finishes after the revocation

    assert call(client, plain).status_code == 401


def test_closing_the_organisation_refuses_its_keys_at_once(
    client, key_and_plain, organisation, django_capture_on_commit_callbacks
):
    _, plain = key_and_plain
    assert call(client, plain).status_code == 200

    with django_capture_on_commit_callbacks(execute=True):
        organisation_close(
            organisation=organisation,
            reason="Contract ended",
            effective_on=timezone.localdate(),
            by=DpoFactory(),
        )

    assert call(client, plain).status_code == 401


def test_an_expiry_date_is_kept_by_the_remembered_key(client, organisation):
    expires = timezone.now() + timedelta(minutes=5)
    _, plain = api_key_for(organisation, scopes=[ApiScope.USERS], expiry_date=expires)
    assert call(client, plain).status_code == 200

    with time_machine.travel(expires + timedelta(seconds=1)):
        assert call(client, plain).status_code == 401


def test_a_change_made_in_the_database_directly_applies_within_the_cache_time(
    client, key_and_plain, organisation, settings
):
    settings.API_KEY_CACHE_SECONDS = 1
    _, plain = key_and_plain
    assert call(client, plain).status_code == 200
    # Not through a service: nothing tells the cache.
    Organisation.objects.filter(pk=organisation.pk).update(status=Organisation.Status.SUSPENDED)

    time.sleep(1.2)  # the entry's expiry, in real time in Redis too

    assert call(client, plain).status_code == 401


def test_a_wrong_secret_never_reaches_a_remembered_key(client, key_and_plain, settings):
    settings.API_KEY_FAILURE_LIMIT = 2
    key, plain = key_and_plain
    assert call(client, plain).status_code == 200

    assert call(client, f"{key.prefix}.not-the-secret").status_code == 401
    assert call(client, f"{key.prefix}.not-the-secret-either").status_code == 401
    # The failures count as ever: that address is now blocked, even with the good key.
    assert call(client, plain).status_code == 429


def test_with_the_cache_time_at_zero_every_request_looks_the_key_up(
    client, key_and_plain, settings, django_assert_num_queries
):
    settings.API_KEY_CACHE_SECONDS = 0
    settings.USAGE_LOGGING_ENABLED = False
    _, plain = key_and_plain
    call(client, plain)

    # 1 the key with its organisation, 2 the page with its count
    with django_assert_num_queries(2):
        assert call(client, plain).status_code == 200
