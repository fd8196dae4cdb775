"""Changing and resetting a password: validators, other sessions end, the owner is told."""

import re

import pytest
from django.conf import settings
from django.test import Client

from accounts.models import User
from audit.models import AuditEntry
from security.models import UserSession
from security.services.passwords import password_reset_url
from tests.factories import TEST_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "a fresh and long passphrase"
RESET = "/accounts/password/reset/"


def log_in(user, password=TEST_PASSWORD) -> Client:
    browser = Client()
    response = browser.post("/accounts/login/", {"username": user.email, "password": password})
    assert response.status_code == 302
    return browser


def change(browser, old=TEST_PASSWORD, new=NEW_PASSWORD, again=None):
    return browser.post(
        "/accounts/password/change/",
        {"old_password": old, "new_password1": new, "new_password2": again or new},
    )


def test_a_password_change_ends_every_other_session_and_emails_the_user(
    mailoutbox, django_capture_on_commit_callbacks
):
    member = UserFactory()
    laptop, phone = log_in(member), log_in(member)

    with django_capture_on_commit_callbacks(execute=True):
        response = change(laptop)

    assert response.status_code == 302
    assert response["Location"] == "/account/security/"
    assert laptop.get("/account/").status_code == 200  # this session stays
    assert phone.get("/account/")["Location"].startswith("/accounts/login/")
    assert UserSession.objects.filter(user=member, ended_at__isnull=True).count() == 1
    member.refresh_from_db()
    assert member.check_password(NEW_PASSWORD)
    assert [m.subject for m in mailoutbox] == ["Your PrivacyDesk password was changed"]
    assert mailoutbox[0].to == [member.email]
    assert NEW_PASSWORD not in mailoutbox[0].body
    entry = AuditEntry.objects.get(action="user.password_change")
    assert entry.details == {"via": "change", "sessions_ended": 1}


def test_a_password_change_needs_the_current_password():
    member = UserFactory()
    browser = log_in(member)
    response = change(browser, old="not it")
    assert response.status_code == 200
    member.refresh_from_db()
    assert member.check_password(TEST_PASSWORD)


@pytest.mark.parametrize(
    "weak, why",
    [
        ("short1", "too short"),
        ("password1234", "too common"),
        ("382910465723", "entirely numeric"),
    ],
)
def test_the_password_validators_refuse_weak_passwords(weak, why):
    member = UserFactory()
    browser = log_in(member)
    response = change(browser, new=weak)
    assert response.status_code == 200
    assert why in response.content.decode()
    member.refresh_from_db()
    assert member.check_password(TEST_PASSWORD)


def reset_link(body: str) -> str:
    url = re.search(rf"{re.escape(settings.SITE_URL)}/accounts/password/reset/\S+", body).group()
    return url.removeprefix(settings.SITE_URL)


def test_a_reset_link_sets_a_new_password_ends_every_session_and_tells_the_user(
    client, mailoutbox, django_capture_on_commit_callbacks
):
    member = UserFactory(email="forgetful@example.test")
    other_session = log_in(member)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(RESET, {"email": "Forgetful@Example.test"})
    assert response["Location"] == "/accounts/password/reset/sent/"
    assert mailoutbox[0].to == [member.email]
    assert mailoutbox[0].subject == "Reset your PrivacyDesk password"

    form_page = client.get(reset_link(mailoutbox[0].body), follow=True)
    assert "Set a new password" in form_page.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(
            form_page.request["PATH_INFO"],
            {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
        )
    assert done["Location"] == "/accounts/password/reset/done/"
    member.refresh_from_db()
    assert member.check_password(NEW_PASSWORD)
    assert other_session.get("/account/")["Location"].startswith("/accounts/login/")
    assert mailoutbox[-1].subject == "Your PrivacyDesk password was changed"
    assert AuditEntry.objects.get(action="user.password_change").details["via"] == "reset"

    # The link worked once.
    again = client.get(reset_link(mailoutbox[0].body), follow=True)
    assert "This link no longer works" in again.content.decode()


def test_a_reset_for_an_unknown_or_inactive_address_looks_the_same_and_sends_nothing(
    client, mailoutbox, django_capture_on_commit_callbacks
):
    UserFactory(email="suspended@example.test", status=User.Status.SUSPENDED)
    invited = UserFactory(email="invited@example.test", status=User.Status.INVITED)
    invited.set_unusable_password()
    invited.save()
    UserFactory(email="known@example.test")

    answers = []
    with django_capture_on_commit_callbacks(execute=True):
        for email in ("nobody@example.test", "suspended@example.test", "invited@example.test"):
            answers.append(client.post(RESET, {"email": email}))
        known = client.post(RESET, {"email": "known@example.test"})

    assert mailoutbox[0].to == ["known@example.test"]
    assert len(mailoutbox) == 1
    for answer in answers:
        assert answer.status_code == known.status_code == 302
        assert answer["Location"] == known["Location"]
    page = client.get(known["Location"]).content.decode()
    assert "If the address you entered belongs to an active account" in page


def test_a_reset_password_must_pass_the_validators(client, mailoutbox):
    member = UserFactory()

    form_page = client.get(password_reset_url(member).removeprefix(settings.SITE_URL), follow=True)
    response = client.post(
        form_page.request["PATH_INFO"], {"new_password1": "password", "new_password2": "password"}
    )
    assert response.status_code == 200
    assert "too common" in response.content.decode()
    member.refresh_from_db()
    assert member.check_password(TEST_PASSWORD)


# --- Rate limits --------------------------------------------------------------------


def reset_page(response) -> str:
    """The page the requester lands on, as they see it (the CSRF token differs per request)."""
    html = Client().get(response["Location"]).content.decode()
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "CSRF", html)


def test_ten_requests_for_one_address_send_at_most_the_limit_and_all_look_the_same(
    client, mailoutbox, django_capture_on_commit_callbacks, settings
):
    UserFactory(email="target@example.test")
    limit = settings.PASSWORD_RESET_LIMIT_PER_EMAIL
    assert limit < 10

    with django_capture_on_commit_callbacks(execute=True):
        answers = [
            client.post(RESET, {"email": email}, REMOTE_ADDR=f"198.51.100.{n}")
            for n, email in enumerate(["target@example.test", "Target@Example.TEST"] * 5)
        ]

    assert len(mailoutbox) == limit
    assert {mail.to[0] for mail in mailoutbox} == {"target@example.test"}
    assert {(a.status_code, a["Location"]) for a in answers} == {
        (302, "/accounts/password/reset/sent/")
    }
    assert len({reset_page(answer) for answer in answers}) == 1


def test_many_addresses_from_one_ip_reach_the_ip_limit(
    client, mailoutbox, django_capture_on_commit_callbacks, settings
):
    settings.PASSWORD_RESET_LIMIT_PER_IP = 4
    for n in range(6):
        UserFactory(email=f"person{n}@example.test")

    with django_capture_on_commit_callbacks(execute=True):
        answers = [
            client.post(RESET, {"email": f"person{n}@example.test"}, REMOTE_ADDR="203.0.113.5")
            for n in range(6)
        ]
        elsewhere = client.post(RESET, {"email": "person5@example.test"}, REMOTE_ADDR="203.0.113.6")

    assert [mail.to for mail in mailoutbox] == [[f"person{n}@example.test"] for n in range(4)] + [
        ["person5@example.test"]
    ]
    assert {(a.status_code, a["Location"]) for a in [*answers, elsewhere]} == {
        (302, "/accounts/password/reset/sent/")
    }


def test_a_limited_known_address_looks_like_an_unknown_one(
    client, mailoutbox, django_capture_on_commit_callbacks, settings
):
    settings.PASSWORD_RESET_LIMIT_PER_EMAIL = 1
    UserFactory(email="known@example.test")

    with django_capture_on_commit_callbacks(execute=True):
        sent = client.post(RESET, {"email": "known@example.test"})
        limited = client.post(RESET, {"email": "known@example.test"})
        unknown = client.post(RESET, {"email": "nobody@example.test"})

    assert len(mailoutbox) == 1
    assert sent["Location"] == limited["Location"] == unknown["Location"]
    assert reset_page(sent) == reset_page(limited) == reset_page(unknown)


def test_behind_a_proxy_the_ip_limit_counts_the_client_not_the_proxy(
    client, mailoutbox, django_capture_on_commit_callbacks, settings
):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 1}
    settings.PASSWORD_RESET_LIMIT_PER_IP = 2
    for n in range(4):
        UserFactory(email=f"person{n}@example.test")

    def via_proxy(email, forwarded_for):
        return client.post(
            RESET, {"email": email}, REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR=forwarded_for
        )

    with django_capture_on_commit_callbacks(execute=True):
        via_proxy("person0@example.test", "198.51.100.7")
        via_proxy("person1@example.test", "192.0.2.1, 198.51.100.7")
        via_proxy("person2@example.test", "192.0.2.2, 198.51.100.7")  # forged: still .7
        via_proxy("person3@example.test", "203.0.113.9")  # another client

    assert sorted(mail.to[0] for mail in mailoutbox) == [
        "person0@example.test",
        "person1@example.test",
        "person3@example.test",
    ]
