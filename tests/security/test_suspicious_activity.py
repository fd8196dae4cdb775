"""The suspicious-activity rules, driven by real logins through the login page.

django-axes records each attempt (AccessFailureLog, AccessLog) exactly as in production; the
rules read those rows, so every test here logs in with a fresh browser per attempt.
"""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from accounts.models import User
from audit.models import AuditEntry
from security.models import Investigation, UserSession
from security.services.rules import api_key_failure_burst
from tests.factories import TEST_PASSWORD, ClientAdminFactory, DpoFactory, UserFactory

pytestmark = pytest.mark.django_db

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def attempt(email, password, ip):
    """One login attempt from its own browser at ``ip``; returns that browser."""
    browser = Client()
    browser.post("/accounts/login/", {"username": email, "password": password}, REMOTE_ADDR=ip)
    return browser


def events(investigation):
    return [(item["event"], item["ip"]) for item in investigation.evidence]


@pytest.fixture
def clock():
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


# --- lockout ------------------------------------------------------------------------------


def test_a_lockout_opens_a_medium_investigation_that_does_not_suspend(clock, settings):
    user = UserFactory()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        clock.shift(timedelta(seconds=10))
        attempt(user.email, "wrong password", "198.51.100.9")

    investigation = Investigation.objects.get()
    assert investigation.rule == "lockout"
    assert investigation.user == user
    assert investigation.organisation == user.organisation
    assert investigation.severity == "medium"
    assert not investigation.account_suspended
    assert ("locked_out", "198.51.100.9") in events(investigation)
    assert events(investigation).count(("login_failed", "198.51.100.9")) == 5
    user.refresh_from_db()
    assert user.status == User.Status.ACTIVE
    assert AuditEntry.objects.filter(action="investigation.open").count() == 1


def test_more_attempts_during_a_lockout_add_to_the_open_investigation(clock, settings):
    user = UserFactory()
    for _ in range(settings.AXES_FAILURE_LIMIT + 3):
        clock.shift(timedelta(seconds=10))
        attempt(user.email, "wrong password", "198.51.100.9")

    investigation = Investigation.objects.get()
    assert len([e for e in events(investigation) if e[0] == "locked_out"]) == 4
    assert len(investigation.evidence) > settings.AXES_FAILURE_LIMIT + 1


def test_a_lockout_of_an_address_with_no_account_is_kept_by_ip_and_names_no_one(clock, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        clock.shift(timedelta(seconds=10))
        attempt("nobody@example.test", "guess", "198.51.100.66")

    investigation = Investigation.objects.get()
    assert investigation.user is None
    assert investigation.ip_address == "198.51.100.66"
    assert "nobody@example.test" not in str(investigation.evidence)
    assert "nobody@example.test" not in investigation.summary


def test_a_lockout_never_suspends_even_when_configured_high(clock, settings):
    settings.SUSPICIOUS_ACTIVITY_RULES = {
        **settings.SUSPICIOUS_ACTIVITY_RULES,
        "lockout": {"enabled": True, "severity": "high"},
    }
    user = UserFactory()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        attempt(user.email, "wrong password", "198.51.100.9")

    investigation = Investigation.objects.get()
    assert investigation.severity == "high"
    assert not investigation.account_suspended
    user.refresh_from_db()
    assert user.status == User.Status.ACTIVE


# --- success after failures from several IPs ----------------------------------------------


def test_a_login_after_failures_from_three_ips_holds_the_account_and_ends_its_session(
    clock, mailoutbox, django_capture_on_commit_callbacks
):
    user = UserFactory()
    for ip in ("203.0.113.1", "203.0.113.2", "203.0.113.3"):
        clock.shift(timedelta(minutes=2))
        attempt(user.email, "wrong password", ip)
    clock.shift(timedelta(minutes=2))
    with django_capture_on_commit_callbacks(execute=True):
        browser = attempt(user.email, TEST_PASSWORD, "203.0.113.50")

    investigation = Investigation.objects.get()
    assert investigation.rule == "success_after_distributed_failures"
    assert investigation.severity == "high"
    assert investigation.account_suspended
    assert investigation.review_due_at == timezone.now() + timedelta(hours=24)
    assert events(investigation) == [
        ("login_failed", "203.0.113.1"),
        ("login_failed", "203.0.113.2"),
        ("login_failed", "203.0.113.3"),
        ("login_succeeded", "203.0.113.50"),
    ]
    user.refresh_from_db()
    assert user.status == User.Status.SUSPENDED
    # The session this login opened no longer works, and none is left open.
    assert browser.get("/account/").status_code == 302
    assert not UserSession.objects.filter(user=user, ended_at__isnull=True).exists()
    held = [mail for mail in mailoutbox if "held pending review" in mail.subject]
    assert len(held) == 1
    assert f"INV-{investigation.pk}" in held[0].body
    assert "contest" in held[0].body
    suspension = AuditEntry.objects.get(action="user.suspend")
    assert suspension.actor is None
    assert suspension.details["automated"] is True


def test_the_held_login_is_told_what_happened(clock):
    user = UserFactory()
    for ip in ("203.0.113.1", "203.0.113.2", "203.0.113.3"):
        attempt(user.email, "wrong password", ip)
    browser = Client()
    response = browser.post(
        "/accounts/login/",
        {"username": user.email, "password": TEST_PASSWORD},
        REMOTE_ADDR="203.0.113.50",
        follow=True,
    )
    assert "held pending review" in response.content.decode()
    assert not response.context["user"].is_authenticated


def test_failures_from_two_ips_or_long_before_open_nothing(clock):
    user = UserFactory()
    attempt(user.email, "wrong password", "203.0.113.1")
    attempt(user.email, "wrong password", "203.0.113.2")
    attempt(user.email, TEST_PASSWORD, "203.0.113.50")

    other = UserFactory()
    for ip in ("203.0.113.1", "203.0.113.2", "203.0.113.3"):
        attempt(other.email, "wrong password", ip)
    clock.shift(timedelta(minutes=16))
    attempt(other.email, TEST_PASSWORD, "203.0.113.50")

    assert not Investigation.objects.exists()
    assert User.objects.filter(status=User.Status.SUSPENDED).count() == 0


def test_failures_before_the_previous_success_do_not_count_again(clock):
    user = UserFactory()
    attempt(user.email, "wrong password", "203.0.113.1")
    attempt(user.email, "wrong password", "203.0.113.2")
    clock.shift(timedelta(minutes=1))
    attempt(user.email, TEST_PASSWORD, "203.0.113.50")
    clock.shift(timedelta(minutes=1))
    attempt(user.email, "wrong password", "203.0.113.3")
    clock.shift(timedelta(minutes=1))
    attempt(user.email, TEST_PASSWORD, "203.0.113.50")

    assert not Investigation.objects.exists()


# --- many IPs in an hour ------------------------------------------------------------------


def test_logins_from_four_ips_within_an_hour_hold_the_account(
    clock, mailoutbox, django_capture_on_commit_callbacks
):
    user = UserFactory()
    for ip in ("192.0.2.1", "192.0.2.2", "192.0.2.3"):
        attempt(user.email, TEST_PASSWORD, ip)
        clock.shift(timedelta(minutes=15))
    assert not Investigation.objects.exists()

    with django_capture_on_commit_callbacks(execute=True):
        browser = attempt(user.email, TEST_PASSWORD, "192.0.2.4")

    investigation = Investigation.objects.get()
    assert investigation.rule == "many_ips_in_hour"
    assert investigation.severity == "high"
    assert investigation.account_suspended
    assert events(investigation) == [
        ("login_succeeded", "192.0.2.1"),
        ("login_succeeded", "192.0.2.2"),
        ("login_succeeded", "192.0.2.3"),
        ("login_succeeded", "192.0.2.4"),
    ]
    user.refresh_from_db()
    assert user.status == User.Status.SUSPENDED
    assert browser.get("/account/").status_code == 302
    assert any("held pending review" in mail.subject for mail in mailoutbox)


def test_logins_from_four_ips_over_more_than_an_hour_open_nothing(clock):
    user = UserFactory()
    for ip in ("192.0.2.1", "192.0.2.2", "192.0.2.3", "192.0.2.4"):
        attempt(user.email, TEST_PASSWORD, ip)
        clock.shift(timedelta(minutes=21))
    assert not Investigation.objects.exists()


def test_logins_a_person_has_cleared_do_not_hold_the_account_again(clock):
    from security.services.investigations import investigation_record_outcome

    user = UserFactory()
    for ip in ("192.0.2.1", "192.0.2.2", "192.0.2.3", "192.0.2.4"):
        attempt(user.email, TEST_PASSWORD, ip)
        clock.shift(timedelta(minutes=5))
    investigation = Investigation.objects.get()
    investigation_record_outcome(
        investigation=investigation,
        outcome="cleared",
        reason="The user was travelling between offices.",
        by=DpoFactory(),
    )
    clock.shift(timedelta(minutes=5))
    attempt(user.email, TEST_PASSWORD, "192.0.2.1")

    user.refresh_from_db()
    assert user.status == User.Status.ACTIVE
    assert Investigation.objects.count() == 1


# --- privileged login from a new IP -------------------------------------------------------


def test_a_privileged_login_from_a_new_ip_opens_a_medium_investigation_without_suspending(
    clock,
):
    admin = ClientAdminFactory()
    attempt(admin.email, TEST_PASSWORD, "198.51.100.1")  # the first login: nothing to compare
    clock.shift(timedelta(days=1))
    attempt(admin.email, TEST_PASSWORD, "198.51.100.1")
    assert not Investigation.objects.exists()

    clock.shift(timedelta(days=1))
    attempt(admin.email, TEST_PASSWORD, "198.51.100.77")

    investigation = Investigation.objects.get()
    assert investigation.rule == "privileged_new_ip"
    assert investigation.severity == "medium"
    assert investigation.ip_address == "198.51.100.77"
    assert not investigation.account_suspended
    assert events(investigation) == [("login_succeeded", "198.51.100.77")]
    admin.refresh_from_db()
    assert admin.status == User.Status.ACTIVE


def test_a_second_trigger_adds_to_the_open_investigation(clock):
    dpo = DpoFactory()
    attempt(dpo.email, TEST_PASSWORD, "198.51.100.1")
    clock.shift(timedelta(hours=2))
    attempt(dpo.email, TEST_PASSWORD, "198.51.100.2")
    clock.shift(timedelta(hours=2))
    attempt(dpo.email, TEST_PASSWORD, "198.51.100.3")

    investigation = Investigation.objects.get()
    assert events(investigation) == [
        ("login_succeeded", "198.51.100.2"),
        ("login_succeeded", "198.51.100.3"),
    ]


def test_a_member_logging_in_from_a_new_ip_opens_nothing(clock):
    member = UserFactory()
    attempt(member.email, TEST_PASSWORD, "198.51.100.1")
    clock.shift(timedelta(days=1))
    attempt(member.email, TEST_PASSWORD, "198.51.100.2")
    assert not Investigation.objects.exists()


def test_a_disabled_rule_opens_nothing(clock, settings):
    settings.SUSPICIOUS_ACTIVITY_RULES = {
        **settings.SUSPICIOUS_ACTIVITY_RULES,
        "privileged_new_ip": {"enabled": False},
    }
    admin = ClientAdminFactory()
    attempt(admin.email, TEST_PASSWORD, "198.51.100.1")
    clock.shift(timedelta(days=1))
    attempt(admin.email, TEST_PASSWORD, "198.51.100.2")
    assert not Investigation.objects.exists()


# --- failures after an investigation opened ------------------------------------------------


def test_failed_logins_are_added_to_an_open_investigation_of_the_account(clock):
    admin = ClientAdminFactory()
    attempt(admin.email, TEST_PASSWORD, "198.51.100.1")
    clock.shift(timedelta(days=1))
    attempt(admin.email, TEST_PASSWORD, "198.51.100.2")
    clock.shift(timedelta(minutes=1))
    attempt(admin.email, "wrong password", "198.51.100.3")

    investigation = Investigation.objects.get()
    assert events(investigation)[-1] == ("login_failed", "198.51.100.3")


# --- API keys -----------------------------------------------------------------------------


def test_a_burst_of_failed_api_key_authentications_opens_an_investigation_of_the_ip():
    api_key_failure_burst(ip_address="203.0.113.200", failures=20)
    api_key_failure_burst(ip_address="203.0.113.200", failures=20)
    api_key_failure_burst(ip_address="203.0.113.201", failures=25)

    first, second = Investigation.objects.order_by("ip_address")
    assert first.rule == "api_key_failure_burst"
    assert first.user is None
    assert first.ip_address == "203.0.113.200"
    assert first.severity == "medium"
    assert not first.account_suspended
    assert [item["count"] for item in first.evidence] == [20, 20]
    assert second.ip_address == "203.0.113.201"


# --- review deadline ----------------------------------------------------------------------


def test_an_unreviewed_hold_is_overdue_after_24_hours(clock):
    user = UserFactory()
    for ip in ("203.0.113.1", "203.0.113.2", "203.0.113.3"):
        attempt(user.email, "wrong password", ip)
    attempt(user.email, TEST_PASSWORD, "203.0.113.50")
    investigation = Investigation.objects.get()

    clock.shift(timedelta(hours=23, minutes=59))
    assert not investigation.review_overdue
    clock.shift(timedelta(minutes=2))
    assert investigation.review_overdue
