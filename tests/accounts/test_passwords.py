"""Changing and resetting a password: validators, other sessions end, the owner is told."""

import re

import pytest
from django.conf import settings
from django.test import Client

from accounts.models import User, UserSession
from accounts.passwords import password_reset_url
from audit.models import AuditEntry
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
