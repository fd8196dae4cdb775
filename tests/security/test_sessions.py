"""A user's browser sessions: recorded, listed, ended; idle back-office sessions time out."""

from datetime import timedelta

import pytest
import time_machine
from django.conf import settings as django_settings
from django.contrib.sessions.models import Session
from django.test import Client
from django.utils import timezone

from accounts.services.users import user_suspend
from audit.models import AuditEntry
from common.origin import device_label
from security.models import UserSession
from tests.factories import TEST_PASSWORD, ClientAdminFactory, DpoFactory, UserFactory

pytestmark = pytest.mark.django_db

FIREFOX_WINDOWS = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Gecko/20100101 Firefox/128.0"
SAFARI_IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1"
)


def log_in_from(user, user_agent=FIREFOX_WINDOWS, ip="198.51.100.20") -> Client:
    browser = Client(HTTP_USER_AGENT=user_agent, REMOTE_ADDR=ip)
    response = browser.post("/accounts/login/", {"username": user.email, "password": TEST_PASSWORD})
    assert response.status_code == 302
    return browser


def test_device_labels_read_like_browser_on_system():
    assert device_label(FIREFOX_WINDOWS) == "Firefox on Windows"
    assert device_label(SAFARI_IPHONE) == "Mobile Safari on iOS"
    assert device_label("") == "Unknown browser"


def test_a_login_records_the_session_with_its_device_and_ip():
    member = UserFactory()
    browser = log_in_from(member, ip="203.0.113.5")

    row = UserSession.objects.get(user=member)
    assert row.session_key == browser.session.session_key
    assert row.device == "Firefox on Windows"
    assert row.ip_address == "203.0.113.5"
    assert row.ended_at is None


def test_last_seen_is_refreshed_at_most_once_a_minute(django_assert_num_queries, settings):
    settings.USAGE_LOGGING_ENABLED = False  # its insert is pinned in its own tests
    member = UserFactory()
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        browser = log_in_from(member)
    row = UserSession.objects.get(user=member)

    # 1 the session, 2 the user, 3 the organisation (does it require MFA? the layout shows it
    # too), 4 the published privacy notice, 5 its earlier versions: no write within the minute
    with (
        time_machine.travel(start + timedelta(seconds=30), tick=False),
        django_assert_num_queries(5),
    ):
        browser.get("/privacy/")
    row.refresh_from_db()
    assert row.last_seen_at == start

    later = start + timedelta(seconds=90)
    with time_machine.travel(later, tick=False):
        browser.get("/privacy/")
    row.refresh_from_db()
    assert row.last_seen_at == later


def test_the_row_follows_the_session_when_its_key_rotates(client):
    member = UserFactory()
    browser = log_in_from(member)
    row = UserSession.objects.get(user=member)
    old_key = row.session_key

    browser.post(
        "/accounts/password/change/",
        {
            "old_password": TEST_PASSWORD,
            "new_password1": "a fresh and long passphrase",
            "new_password2": "a fresh and long passphrase",
        },
    )

    row.refresh_from_db()
    assert row.session_key == browser.session.session_key != old_key
    assert row.ended_at is None
    assert UserSession.objects.filter(user=member).count() == 1


def test_logging_out_marks_the_session_ended():
    member = UserFactory()
    browser = log_in_from(member)
    browser.post("/accounts/logout/")
    assert UserSession.objects.get(user=member).ended_at is not None


def test_a_user_sees_their_active_sessions_and_which_one_is_this(verified_client):
    admin = ClientAdminFactory()
    phone = log_in_from(admin, user_agent=SAFARI_IPHONE, ip="203.0.113.44")
    client = verified_client(admin)
    log_in_from(UserFactory())  # someone else's session is not listed

    html = client.get("/account/security/").content.decode()

    assert "Mobile Safari on iOS" in html
    assert "203.0.113.44" in html
    assert "(this session)" in html
    assert html.count("End session") == 1
    assert phone.session.session_key not in html  # keys are never shown


def test_ended_and_expired_sessions_are_not_listed(client):
    member = UserFactory()
    gone = log_in_from(member)
    gone.post("/accounts/logout/")
    expired = log_in_from(member, user_agent=SAFARI_IPHONE)
    Session.objects.filter(session_key=expired.session.session_key).update(
        expire_date=timezone.now() - timedelta(seconds=1)
    )
    client.force_login(member)

    html = client.get("/account/security/").content.decode()

    assert "Mobile Safari" not in html
    assert "Firefox" not in html
    assert "(this session)" in html


def test_the_security_page_takes_the_same_queries_for_many_sessions(
    client, django_assert_num_queries, settings
):
    settings.USAGE_LOGGING_ENABLED = False  # its insert is pinned in its own tests
    member = UserFactory()
    for _ in range(5):
        log_in_from(member)
    client.force_login(member)
    client.get("/account/security/")  # the first request after login settles the session

    # 1 session, 2 user, 3 organisation (does it require MFA?), 4 authenticator, 5 backup
    # codes, 6 the sessions list (one query, the live-Django-session check is an EXISTS),
    # 7 the passkeys
    with django_assert_num_queries(7):
        response = client.get("/account/security/")
    assert response.content.decode().count("End session") == 5


def test_a_user_ends_another_of_their_sessions(client):
    member = UserFactory()
    other_browser = log_in_from(member, user_agent=SAFARI_IPHONE)
    other = UserSession.objects.get(session_key=other_browser.session.session_key)
    client.force_login(member)

    response = client.post(f"/account/security/sessions/{other.pk}/end/", follow=True)

    assert "The session on Mobile Safari on iOS ended." in response.content.decode()
    other.refresh_from_db()
    assert other.ended_at is not None
    assert not Session.objects.filter(session_key=other.session_key).exists()
    assert other_browser.get("/account/")["Location"].startswith("/accounts/login/")
    assert client.get("/account/").status_code == 200
    assert AuditEntry.objects.filter(action="session.end", actor=member).exists()


def test_a_user_cannot_end_someone_elses_session(client):
    victim = UserFactory()
    victim_browser = log_in_from(victim)
    session = UserSession.objects.get(user=victim)
    client.force_login(UserFactory(organisation=victim.organisation))

    response = client.post(f"/account/security/sessions/{session.pk}/end/")

    assert response.status_code == 404
    assert victim_browser.get("/account/").status_code == 200


def test_ending_a_session_needs_a_post(client):
    member = UserFactory()
    client.force_login(member)
    session = UserSession.objects.get(user=member)
    assert client.get(f"/account/security/sessions/{session.pk}/end/").status_code == 405


def test_ending_this_session_logs_out(client):
    member = UserFactory()
    client.force_login(member)
    session = UserSession.objects.get(user=member)

    response = client.post(f"/account/security/sessions/{session.pk}/end/")

    assert response["Location"] == "/accounts/login/"
    assert client.get("/account/").status_code == 302


def test_a_suspension_ends_a_live_session_at_its_next_request(client):
    member = UserFactory()
    admin = ClientAdminFactory(organisation=member.organisation)
    client.force_login(member)
    assert client.get("/account/").status_code == 200

    user_suspend(user=member, reason="Left the company", by=admin)

    response = client.get("/account/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    assert UserSession.objects.get(user=member).ended_at is not None


def test_a_dpo_is_logged_out_after_thirty_idle_minutes(verified_client):
    dpo = DpoFactory()
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        client = verified_client(dpo)
        assert client.get("/account/").status_code == 200
    with time_machine.travel(start + timedelta(minutes=29), tick=False):
        assert client.get("/account/").status_code == 200
    # Activity at minute 29 counts: 30 idle minutes from then, not from the login.
    with time_machine.travel(start + timedelta(minutes=58), tick=False):
        assert client.get("/account/").status_code == 200

    last_activity = start + timedelta(minutes=58)
    idle = last_activity + django_settings.BACKOFFICE_IDLE_TIMEOUT + timedelta(seconds=1)
    with time_machine.travel(idle, tick=False):
        response = client.get("/account/")
        assert response.status_code == 302
        assert response["Location"] == "/accounts/login/?next=/account/"
        page = client.get(response["Location"]).content.decode()
    assert "logged out after 30 minutes without activity" in page
    assert UserSession.objects.get(user=dpo).ended_at is not None


def test_a_member_is_not_logged_out_after_thirty_idle_minutes(client):
    member = UserFactory()
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        client.force_login(member)
    with time_machine.travel(start + timedelta(hours=2), tick=False):
        assert client.get("/account/").status_code == 200
