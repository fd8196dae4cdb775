"""Password spraying: one IP failing against many accounts is investigated and its logins
refused for a while, through the real login page, django-axes' failure log and the cache.
The accounts themselves stay open to their owners everywhere else."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from axes.models import AccessAttempt, AccessFailureLog
from django.test import Client

from accounts.models import User
from audit.models import AuditEntry
from security.models import Investigation
from tests.factories import TEST_PASSWORD, SupportFactory, UserFactory

pytestmark = pytest.mark.django_db

SPRAYER = "203.0.113.66"
ELSEWHERE = "198.51.100.20"
START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@pytest.fixture
def clock():
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


@pytest.fixture
def rule(settings):
    """The rule at its documented defaults (SPRAY_ACCOUNTS, SPRAY_WINDOW_MINUTES, ...)."""
    config = settings.SUSPICIOUS_ACTIVITY_RULES["password_spraying"]
    assert config["enabled"]
    assert (config["distinct_accounts"], config["window_minutes"]) == (10, 15)
    return config


SPRAYED = "Summer2026!"  # one common password, tried against every address


def attempt(email, password=SPRAYED, ip=SPRAYER):
    return Client().post(
        "/accounts/login/", {"username": email, "password": password}, REMOTE_ADDR=ip
    )


def spray(emails, clock, ip=SPRAYER):
    responses = []
    for email in emails:
        clock.shift(timedelta(seconds=20))
        responses.append(attempt(email, ip=ip))
    return responses


def test_one_ip_failing_against_many_accounts_is_throttled_and_investigated(clock, rule):
    """GIVEN ten accounts (some real, some not)
    WHEN one IP tries one common password against each within the window
    THEN the tenth failure opens an investigation of that IP and its next login is refused
    with 429 and a Retry-After, without a password being checked."""
    users = UserFactory.create_batch(6)
    emails = [user.email for user in users] + [f"nobody{n}@example.test" for n in range(4)]

    responses = spray(emails, clock)

    assert [response.status_code for response in responses] == [200] * 10
    investigation = Investigation.objects.get(rule="password_spraying")
    assert investigation.user is None
    assert investigation.ip_address == SPRAYER
    assert investigation.severity == "medium"
    assert not investigation.account_suspended
    assert "10 e-mail addresses" in investigation.summary
    spray_line = [item for item in investigation.evidence if item["event"] == "password_spraying"]
    assert spray_line[0]["count"] == 10
    # The evidence names no address: a spray's list may name people with no account here.
    assert not any(email in str(investigation.evidence) for email in emails)
    assert AuditEntry.objects.filter(action="investigation.open").count() == 1

    failures_before = AccessFailureLog.objects.count()
    refused = attempt(users[0].email, TEST_PASSWORD)
    assert refused.status_code == 429
    assert int(refused["Retry-After"]) == rule["throttle_minutes"] * 60
    assert "Too many failed logins" in refused.content.decode()
    assert AccessFailureLog.objects.count() == failures_before  # nothing was checked
    assert "_auth_user_id" not in refused.wsgi_request.session


def test_the_sprayed_accounts_are_not_locked_for_their_owners_elsewhere(clock, rule):
    users = UserFactory.create_batch(10)
    spray([user.email for user in users], clock)
    assert attempt(users[0].email, TEST_PASSWORD).status_code == 429

    for user in users:
        response = attempt(user.email, TEST_PASSWORD, ip=ELSEWHERE)
        assert response.status_code == 302, user.email
        assert response.wsgi_request.user == user
    assert User.objects.filter(status=User.Status.ACTIVE).count() == 10
    assert not AccessAttempt.objects.filter(failures_since_start__gte=5).exists()


def test_fewer_accounts_than_the_setting_or_failures_spread_past_the_window_do_nothing(clock, rule):
    emails = [f"person{n}@example.test" for n in range(9)]
    spray(emails, clock)
    assert not Investigation.objects.exists()

    # The tenth comes after the first has left the 15-minute window.
    clock.shift(timedelta(minutes=15))
    attempt("tenth@example.test")
    assert not Investigation.objects.exists()
    assert attempt("eleventh@example.test").status_code == 200


def test_the_settings_choose_how_many_accounts_and_for_how_long(clock, settings):
    settings.SUSPICIOUS_ACTIVITY_RULES = {
        **settings.SUSPICIOUS_ACTIVITY_RULES,
        "password_spraying": {
            "enabled": True,
            "severity": "medium",
            "distinct_accounts": 3,
            "window_minutes": 5,
            "throttle_minutes": 2,
        },
    }
    spray(["a@example.test", "b@example.test", "c@example.test"], clock)
    refused = attempt("d@example.test")
    assert refused.status_code == 429
    assert refused["Retry-After"] == "120"

    clock.shift(timedelta(minutes=2, seconds=1))
    assert attempt("d@example.test").status_code == 200


def test_a_spray_that_resumes_after_the_throttle_adds_to_the_open_investigation(clock, rule):
    spray([f"first{n}@example.test" for n in range(10)], clock)
    clock.shift(timedelta(minutes=rule["throttle_minutes"]))

    spray([f"second{n}@example.test" for n in range(10)], clock)

    investigation = Investigation.objects.get()
    assert len([i for i in investigation.evidence if i["event"] == "password_spraying"]) == 2
    assert attempt("third@example.test").status_code == 429


def test_the_rule_switched_off_neither_investigates_nor_throttles(clock, settings):
    settings.SUSPICIOUS_ACTIVITY_RULES = {
        **settings.SUSPICIOUS_ACTIVITY_RULES,
        "password_spraying": {"enabled": False},
    }
    spray([f"person{n}@example.test" for n in range(12)], clock)
    assert not Investigation.objects.exists()
    assert attempt("one-more@example.test").status_code == 200


def test_a_throttled_ip_cannot_sign_in_with_a_passkey_either(clock, rule):
    spray([f"person{n}@example.test" for n in range(10)], clock)
    browser = Client(REMOTE_ADDR=SPRAYER)

    response = browser.post("/accounts/mfa/passkeys/authentication/begin/")

    assert response.status_code == 429
    assert response["Content-Type"] == "application/json"
    assert response.json()["code"] == "throttled"
    assert int(response["Retry-After"]) > 0


def test_the_rule_shows_in_the_back_office_in_words(clock, rule, verified_client):
    spray([f"person{n}@example.test" for n in range(10)], clock)
    investigation = Investigation.objects.get()
    support = verified_client(SupportFactory())

    queue = support.get("/backoffice/investigations/").content.decode()
    page = support.get(f"/backoffice/investigations/{investigation.pk}/").content.decode()

    assert "Password spraying: one IP failing against many accounts" in queue
    assert f"No account (IP {SPRAYER})" in queue
    assert "Password spray (e-mail addresses tried)" in page


def test_clearing_the_investigation_lets_the_ip_log_in_again(clock, rule, verified_client):
    """A false alarm (say, a whole office behind one address): clearing it lifts the throttle."""
    spray([f"person{n}@example.test" for n in range(10)], clock)
    investigation = Investigation.objects.get()
    support = verified_client(SupportFactory())
    page = support.get(f"/backoffice/investigations/{investigation.pk}/").content.decode()
    assert "Clear it and let the IP log in again" in page

    support.post(
        f"/backoffice/investigations/{investigation.pk}/outcome/",
        {"outcome": "cleared", "outcome-reason": "The client's office shares one address."},
    )

    investigation.refresh_from_db()
    assert investigation.status == Investigation.Status.CLOSED
    entry = AuditEntry.objects.get(action="investigation.outcome")
    assert entry.details["login_throttle_lifted"] is True
    assert attempt("anyone@example.test").status_code == 200
