import pytest
from django.test import override_settings

from tests.factories import TEST_PASSWORD, DpoFactory, UserFactory
from usage.buffer import buffer_push
from usage.models import Action, DirectWriteCount, UsagePurpose

pytestmark = pytest.mark.django_db

CHROME = (
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/156.0.0.0 Safari/537.36"
)


def test_a_page_view_is_recorded_without_its_query_string(client, stored_events):
    user = UserFactory()
    UsagePurpose.objects.create(
        organisation=user.organisation,
        code="self-service",
        label="Self service",
        features=["account:home"],
    )
    client.force_login(user)
    client.get(
        "/account/?email=secret@example.test", HTTP_USER_AGENT=CHROME, REMOTE_ADDR="203.0.113.9"
    )

    [event] = stored_events(action=Action.PAGE_VIEW)
    assert event.user == user
    assert event.organisation_id == user.organisation_id
    assert event.path == "/account/"
    assert event.feature == "account:home"
    assert event.purpose == "self-service"
    assert event.status_code == 200
    assert event.ip_address == "203.0.113.9"
    assert event.user_agent_family == "Chrome"
    assert len(event.session_hash) == 32
    assert event.session_hash != client.session.session_key
    assert event.duration_ms is not None


def test_logins_logouts_and_failed_logins_are_recorded(client, stored_events):
    user = UserFactory(email="pat@example.test")
    client.post("/accounts/login/", {"username": "pat@example.test", "password": "wrong"})
    client.post("/accounts/login/", {"username": "pat@example.test", "password": TEST_PASSWORD})
    client.post("/accounts/logout/")
    actions = [e.action for e in stored_events(user=user)]
    assert Action.LOGIN_FAILED in actions
    assert Action.LOGIN in actions
    assert actions[-1] == Action.LOGOUT


def test_a_failed_login_for_an_unknown_email_records_nothing(client, stored_events):
    client.post("/accounts/login/", {"username": "nobody@example.test", "password": "x"})
    assert stored_events() == []


def test_anonymous_visitors_and_company_staff_are_not_logged_as_product_use(client, stored_events):
    client.get("/privacy/")
    client.force_login(DpoFactory())
    client.get("/privacy/")
    assert stored_events() == []


def test_logging_can_be_switched_off(client, stored_events, settings):
    settings.USAGE_LOGGING_ENABLED = False
    client.force_login(UserFactory())
    client.get("/account/")
    assert stored_events() == []


def test_when_redis_is_down_events_are_written_directly_and_counted(redis_url, stored_events):
    user = UserFactory()
    event = {
        "occurred_at": "2026-11-28T10:00:00+00:00",
        "organisation_id": user.organisation_id,
        "user_id": user.pk,
        "action": "page_view",
    }
    with override_settings(REDIS_URL="redis://127.0.0.1:1/0", USAGE_BUFFER="redis"):
        from usage.buffer import _client

        _client.cache_clear()
        try:
            buffer_push([event, dict(event)])
        finally:
            _client.cache_clear()
    assert len(stored_events(user=user)) == 2
    assert DirectWriteCount.objects.get().events == 2
