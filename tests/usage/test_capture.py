import pytest
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.test import Client, RequestFactory, override_settings

from tests.factories import TEST_PASSWORD, ClientAdminFactory, DpoFactory, UserFactory
from usage.buffer import buffer_push
from usage.middleware import usage_record
from usage.models import Action, DeadLetter, DirectWriteCount, UsagePurpose

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
        buffer_push([event, dict(event)])
    assert len(stored_events(user=user)) == 2
    assert DirectWriteCount.objects.get().events == 2


@pytest.fixture
def wsgi_get(client):
    """GET through Django's WSGI handler as a server does: the test decides when to close.

    Uses ``client``'s cookies. As the test client does, the test's database connection (and
    its transaction) is kept across request_started and request_finished.
    """
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    handler = WSGIHandler()
    factory = RequestFactory()
    factory.cookies = client.cookies

    def get(path):
        return handler(factory.get(path).environ, lambda status, headers: None)

    yield get
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def test_a_requests_events_reach_the_buffer_only_when_its_response_is_closed(
    client, wsgi_get, stored_events
):
    client.force_login(UserFactory())
    response = wsgi_get("/account/")
    assert response.status_code == 200
    assert stored_events(action=Action.PAGE_VIEW) == []  # sent, but not yet closed

    response.close()  # what the WSGI server does once the client has the response

    [event] = stored_events(action=Action.PAGE_VIEW)
    assert event.path == "/account/"
    assert event.status_code == 200


def test_a_streaming_responses_events_arrive_after_its_last_chunk(
    verified_client, stored_events, export_files, export_of
):
    admin = ClientAdminFactory()
    client = verified_client(admin)
    export = export_of(admin)
    download = f"/console/usage/exports/{export.pk}/download/"
    response = client.get(download)
    assert response.status_code == 200
    assert response.streaming
    chunks = iter(response.streaming_content)
    next(chunks)
    assert stored_events(action=Action.PAGE_VIEW) == []

    list(chunks)  # the last chunk: the test client then closes the response, as a server would

    [event] = stored_events(action=Action.PAGE_VIEW)
    assert event.path == download
    assert event.feature == "usage:export-download"


def test_a_response_never_closed_still_has_its_events_handed_over(client, wsgi_get, stored_events):
    client.force_login(UserFactory())
    wsgi_get("/account/")  # never closed
    wsgi_get("/account/security/").close()
    paths = [event.path for event in stored_events(action=Action.PAGE_VIEW)]
    assert sorted(paths) == ["/account/", "/account/security/"]


def test_a_request_to_a_path_with_a_nul_answers_404_and_logging_goes_on_for_everyone(
    redis_url, settings, stored_events
):
    # The attack of issue 12: one such request used to stop usage logging for everyone. It is
    # now refused before capture (common.middleware); capture cleans whatever else gets by.
    settings.USAGE_BUFFER = "redis"
    user = UserFactory()
    client = Client(raise_request_exception=False)
    client.force_login(user)

    refused = client.get("/api/v1/rights-requests/%00/")
    client.get("/account/")

    assert refused.status_code == 404
    stored = stored_events(user=user, action=Action.API_CALL) + stored_events(
        user=user, action=Action.PAGE_VIEW
    )
    assert [event.path for event in stored] == ["/account/"]
    assert not DeadLetter.objects.exists()


def test_captured_text_is_cleaned_and_cut_to_its_column_before_it_is_buffered(
    redis_url, settings, stored_events
):
    settings.USAGE_BUFFER = "redis"
    user = UserFactory()
    request = RequestFactory().get("/account/", REMOTE_ADDR="fe80::1%eth0")
    usage_record(request, action=Action.EXPORT, user=user, feature="csv\x00\ud800" + "x" * 200)

    [event] = stored_events(user=user)
    assert event.feature == "csv\ufffd\ufffd" + "x" * 95  # 100 characters, the column's most
    assert event.ip_address is None  # a zone id is no address the database can store
