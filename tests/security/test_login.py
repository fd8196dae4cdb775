"""Logging in with e-mail and password: lockout, no enumeration, session rotation."""

import re
from datetime import timedelta

import pytest
import time_machine
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.factories import TEST_PASSWORD, ClientAdminFactory, UserFactory

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"
REFUSED = "That e-mail address and password do not match an active account."
LIMIT = settings.AXES_FAILURE_LIMIT


WRONG = "not the password"


def attempt(client, email, password=WRONG, ip="198.51.100.7"):
    return client.post(LOGIN, {"username": email, "password": password}, REMOTE_ADDR=ip)


def fail(client, email, times, ip="198.51.100.7"):
    for _ in range(times):
        response = attempt(client, email, ip=ip)
    return response


def page_text(response, email: str) -> str:
    """The page as a person sees it, minus the parts that differ by design: the echoed
    e-mail address and the per-request CSRF token (in the form, and in the passkey script's
    settings)."""
    html = response.content.decode()
    html = html.replace(email, "EMAIL")
    html = re.sub(r'"csrfToken": "[^"]+"', "CSRF", html)
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "CSRF", html)


def test_four_failures_do_not_lock_and_the_fifth_does(client):
    user = UserFactory()

    fourth = fail(client, user.email, LIMIT - 1)
    assert fourth.status_code == 200
    assert REFUSED in fourth.content.decode()
    # Still allowed: the right password works after four failures...
    assert attempt(client, user.email, TEST_PASSWORD).status_code == 302

    # ...which reset the count, so five more are needed to lock.
    client.post("/accounts/logout/")
    fourth = fail(client, user.email, LIMIT - 1)
    assert fourth.status_code == 200
    fifth = attempt(client, user.email)
    assert fifth.status_code == 429
    assert "Too many attempts" in fifth.content.decode()


def test_a_correct_password_during_a_lockout_is_refused_and_counts_as_a_failure(client):
    user = UserFactory()
    fail(client, user.email, LIMIT)

    response = attempt(client, user.email, TEST_PASSWORD)

    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
    attempt_row = AccessAttempt.objects.get(username=user.email)
    assert attempt_row.failures_since_start == LIMIT + 1


def test_the_lockout_lifts_after_the_cool_off(client):
    user = UserFactory()
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        fail(client, user.email, LIMIT)
    with time_machine.travel(start + settings.AXES_COOLOFF_TIME - timedelta(minutes=1)):
        assert attempt(client, user.email, TEST_PASSWORD).status_code == 429
    # The refused right password restarted the cool-off one minute before its end.
    with time_machine.travel(start + 2 * settings.AXES_COOLOFF_TIME):
        response = attempt(client, user.email, TEST_PASSWORD)
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)


def test_the_lockout_is_for_one_address_from_one_ip(client):
    user = UserFactory()
    other = UserFactory()
    fail(client, user.email.upper(), LIMIT)

    # Any spelling of the address is the same lockout...
    assert attempt(client, user.email, TEST_PASSWORD).status_code == 429
    # ...but another address from the same IP, or the same address from elsewhere, logs in.
    assert attempt(client, other.email, TEST_PASSWORD).status_code == 302
    client.post("/accounts/logout/")
    assert attempt(client, user.email, TEST_PASSWORD, ip="203.0.113.9").status_code == 302


def test_an_unknown_email_gets_the_same_answer_as_a_wrong_password(client):
    known = UserFactory(email="known@example.test")
    unknown = "nobody@example.test"

    wrong_password = attempt(client, known.email)
    no_account = attempt(client, unknown)

    assert wrong_password.status_code == no_account.status_code == 200
    assert page_text(wrong_password, known.email) == page_text(no_account, unknown)
    assert REFUSED in no_account.content.decode()


def test_an_unknown_email_is_locked_out_exactly_like_a_known_one(client):
    known = UserFactory(email="known@example.test")
    unknown = "nobody@example.test"

    known_lockout = fail(client, known.email, LIMIT)
    unknown_lockout = fail(client, unknown, LIMIT)

    assert known_lockout.status_code == unknown_lockout.status_code == 429
    assert page_text(known_lockout, known.email) == page_text(unknown_lockout, unknown)
    assert "EMAIL" not in page_text(known_lockout, known.email)


def test_a_suspended_account_gets_the_same_answer_as_a_wrong_password(client):
    suspended = UserFactory(status="suspended")
    response = attempt(client, suspended.email, TEST_PASSWORD)
    assert response.status_code == 200
    assert REFUSED in response.content.decode()


def test_a_lockout_emails_the_owner_once_per_lockout(
    client, mailoutbox, django_capture_on_commit_callbacks
):
    user = UserFactory()
    start = timezone.now()
    with time_machine.travel(start), django_capture_on_commit_callbacks(execute=True):
        fail(client, user.email, LIMIT + 3)

    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == [user.email]
    assert "paused" in mailoutbox[0].subject
    assert "30 minutes" in mailoutbox[0].body

    # After the cool-off, a new lockout is news again.
    later = start + 2 * settings.AXES_COOLOFF_TIME
    with time_machine.travel(later), django_capture_on_commit_callbacks(execute=True):
        fail(client, user.email, LIMIT)
    assert len(mailoutbox) == 2


def test_a_lockout_of_an_unknown_email_sends_nothing(
    client, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = fail(client, "nobody@example.test", LIMIT)
    assert response.status_code == 429
    assert mailoutbox == []


def test_the_session_key_rotates_at_login(client):
    user = UserFactory()
    client.get(LOGIN)
    session = client.session
    session["visited"] = True
    session.save()
    before = session.session_key
    client.cookies[settings.SESSION_COOKIE_NAME] = before

    response = attempt(client, user.email, TEST_PASSWORD)

    assert response.status_code == 302
    after = client.cookies[settings.SESSION_COOKIE_NAME].value
    assert after != before
    assert not Session.objects.filter(session_key=before).exists()
    assert client.session["_auth_user_id"] == str(user.pk)


def test_a_login_goes_on_to_the_second_step_keeping_where_the_user_was_going(client):
    admin = ClientAdminFactory()
    response = client.post(
        LOGIN, {"username": admin.email, "password": TEST_PASSWORD, "next": "/account/security/"}
    )
    assert response.status_code == 302
    assert response["Location"] == "/accounts/mfa/enrol/?next=%2Faccount%2Fsecurity%2F"


def test_a_member_of_a_normal_organisation_lands_on_their_page(client):
    member = UserFactory()
    response = attempt(client, member.email, TEST_PASSWORD)
    assert response.status_code == 302
    assert client.get(response["Location"], follow=True).request["PATH_INFO"] == "/account/"


def test_the_login_page_offers_a_password_reset(client):
    assert 'href="/accounts/password/reset/"' in client.get(LOGIN).content.decode()


# --- The password backend ------------------------------------------------------------------


def test_a_members_first_login_costs_22_statements(client, django_assert_max_num_queries):
    """Issue 19: beyond its password check, a login's time is mostly round trips.

    The SSO route by the address's domain; axes' failure count; the person, with their
    organisation and its SSO connection; the transaction's savepoint; the session's INSERT (3,
    with its savepoint); axes' clean-up, access log and reset (3); last_login; the session
    record; the two-step devices (1 for every kind); the new-place check and the place's upsert
    (2); the rules' recent logins and failures (2); the savepoint's release; the organisation's
    usage purposes (cached a minute); the session's final save (3, with its savepoint)."""
    member = UserFactory()

    with django_assert_max_num_queries(22):
        response = attempt(client, member.email, TEST_PASSWORD)

    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(member.pk)


def test_a_wrong_password_is_checked_once(client):
    """No second backend checks a password the first refused: that would double the time a
    failed login takes."""
    member = UserFactory()

    with CaptureQueriesContext(connection) as queries:
        assert REFUSED in attempt(client, member.email).content.decode()

    hashes_read = [q for q in queries.captured_queries if '"accounts_user"."password"' in q["sql"]]
    assert len(hashes_read) == 1


def test_a_session_opened_before_the_password_backend_changed_still_loads_its_user(client):
    """Sessions opened by an earlier release name Django's ModelBackend: an upgrade must not
    log everyone out."""
    member = UserFactory()
    old = SessionStore()
    old[SESSION_KEY] = str(member.pk)
    old[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    old[HASH_SESSION_KEY] = member.get_session_auth_hash()
    old.save()
    client.cookies[settings.SESSION_COOKIE_NAME] = old.session_key

    response = client.get("/account/")

    assert response.status_code == 200
    assert response.wsgi_request.user == member


# --- Behind a proxy (NUM_PROXIES) -------------------------------------------------------

PROXY = "10.0.0.2"
CLIENT_A, CLIENT_B = "198.51.100.7", "203.0.113.9"


@pytest.fixture
def behind_one_proxy(settings):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 1}


def attempt_via_proxy(email, password=WRONG, *, client_address, forged=""):
    """A login through the proxy, which appends the address it saw to what the client sent."""
    forwarded_for = f"{forged}, {client_address}" if forged else client_address
    return Client().post(
        LOGIN,
        {"username": email, "password": password},
        REMOTE_ADDR=PROXY,
        HTTP_X_FORWARDED_FOR=forwarded_for,
    )


def test_behind_a_proxy_failures_lock_out_their_client_not_everyone_behind_the_proxy(
    behind_one_proxy,
):
    user = UserFactory()
    for _ in range(LIMIT):
        attempt_via_proxy(user.email, client_address=CLIENT_A)

    assert attempt_via_proxy(user.email, TEST_PASSWORD, client_address=CLIENT_A).status_code == 429
    assert attempt_via_proxy(user.email, TEST_PASSWORD, client_address=CLIENT_B).status_code == 302
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {CLIENT_A}


def test_behind_a_proxy_a_forged_forwarded_for_entry_picks_no_other_bucket(behind_one_proxy):
    user = UserFactory()
    # The attacker at A names B, then others, as if the request came from there.
    for forged in (CLIENT_B, "192.0.2.1", "192.0.2.2", f"192.0.2.3, {CLIENT_B}", "garbage"):
        attempt_via_proxy(user.email, client_address=CLIENT_A, forged=forged)

    # A is locked out whatever it forges; B, whom it named, still logs in.
    forged_again = attempt_via_proxy(
        user.email, TEST_PASSWORD, client_address=CLIENT_A, forged="192.0.2.99"
    )
    assert forged_again.status_code == 429
    assert attempt_via_proxy(user.email, TEST_PASSWORD, client_address=CLIENT_B).status_code == 302


def test_without_a_proxy_the_forwarded_for_header_is_ignored():
    user = UserFactory()
    for number in range(LIMIT):
        Client().post(
            LOGIN,
            {"username": user.email, "password": WRONG},
            REMOTE_ADDR=CLIENT_A,
            HTTP_X_FORWARDED_FOR=f"192.0.2.{number}",
        )

    response = Client().post(
        LOGIN,
        {"username": user.email, "password": TEST_PASSWORD},
        REMOTE_ADDR=CLIENT_A,
        HTTP_X_FORWARDED_FOR=CLIENT_B,
    )

    assert response.status_code == 429
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {CLIENT_A}


@pytest.mark.django_db(transaction=True, databases=["default", "ledger"])
def test_what_a_login_writes_commits_once(client):
    """Each commit waits for the database's log to reach the disk (issue 19): the session, the
    lockout log, last_login, the session record and the rules' marks go in one, and the
    session's save after the view finds nothing left to write."""
    user = UserFactory()

    with CaptureQueriesContext(connection) as queries:
        assert attempt(client, user.email, TEST_PASSWORD).status_code == 302

    statements = [query["sql"] for query in queries.captured_queries]
    assert statements.count("COMMIT") == 1
    after_commit = statements[statements.index("COMMIT") + 1 :]
    assert [sql for sql in after_commit if sql.split()[0] in {"INSERT", "UPDATE", "DELETE"}] == []
    assert client.session[SESSION_KEY] == str(user.pk)
