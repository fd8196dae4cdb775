"""Security notices: the person is e-mailed, once per event, when their two-step login, backup
codes, the places they log in from, or their e-mail address change."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.services.email_changes import user_email_change_request
from security.models import LoginFingerprint
from security.services.mfa import mfa_backup_codes_issue
from security.services.notices import NEW_LOGIN_WINDOW
from tests.factories import TEST_PASSWORD, ClientAdminFactory, UserFactory
from tests.security.test_mfa import code_for

pytestmark = pytest.mark.django_db

FIREFOX = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:120.0) Gecko/20100101 Firefox/120.0"
SAFARI_IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1"
)
# "2 Dec 2026, 13:43 GMT": every notice says when, with the zone.
WHEN = re.compile(r"\b\d{1,2} [A-Z][a-z]{2} \d{4}, \d{2}:\d{2} (GMT|BST)\b")


def browser(ip="198.51.100.7", agent=FIREFOX) -> Client:
    return Client(REMOTE_ADDR=ip, HTTP_USER_AGENT=agent)


def log_in(client, user):
    response = client.post("/accounts/login/", {"username": user.email, "password": TEST_PASSWORD})
    assert response.status_code == 302
    return response


def assert_calm_notice(mail, *, to, subject, where=None):
    assert mail.to == [to]
    assert mail.subject == subject
    assert WHEN.search(mail.body), mail.body
    assert "If it was not you" in mail.body or "If you did not" in mail.body
    if where:
        assert where in mail.body


# --- New device or IP ----------------------------------------------------------------------


def test_the_first_login_ever_is_not_announced(mailoutbox, django_capture_on_commit_callbacks):
    member = UserFactory()
    with django_capture_on_commit_callbacks(execute=True):
        log_in(browser(), member)
    assert mailoutbox == []
    assert LoginFingerprint.objects.filter(user=member).count() == 1


def test_a_login_from_the_same_device_and_address_is_not_announced(
    mailoutbox, django_capture_on_commit_callbacks
):
    member = UserFactory()
    log_in(browser(), member)
    with django_capture_on_commit_callbacks(execute=True):
        log_in(browser(), member)
    assert mailoutbox == []


@pytest.mark.parametrize(
    ("ip", "agent", "where"),
    [
        ("203.0.113.9", FIREFOX, "Firefox on Windows, at IP address 203.0.113.9"),
        ("198.51.100.7", SAFARI_IPHONE, "Mobile Safari on iOS, at IP address 198.51.100.7"),
    ],
    ids=["new address", "new device"],
)
def test_a_login_from_a_new_device_or_address_is_e_mailed_once_saying_where_from(
    ip, agent, where, mailoutbox, django_capture_on_commit_callbacks
):
    member = UserFactory(email="olivia@a.test")
    log_in(browser(), member)

    with django_capture_on_commit_callbacks(execute=True):
        log_in(browser(ip=ip, agent=agent), member)

    assert len(mailoutbox) == 1
    assert_calm_notice(
        mailoutbox[0],
        to="olivia@a.test",
        subject="A new login to your PrivacyDesk account",
        where=where,
    )
    assert "/accounts/password/reset/" in mailoutbox[0].body
    # Only a keyed hash of the place is stored, never the address itself.
    assert not LoginFingerprint.objects.filter(fingerprint__contains="203.0.113").exists()


def test_a_place_unused_for_the_window_is_new_again_and_is_then_known(
    mailoutbox, django_capture_on_commit_callbacks
):
    member = UserFactory()
    log_in(browser(), member)
    later = timezone.now() + NEW_LOGIN_WINDOW + timedelta(days=1)
    with time_machine.travel(later), django_capture_on_commit_callbacks(execute=True):
        log_in(browser(), member)
        log_in(browser(), member)
    assert len(mailoutbox) == 1


def test_places_unused_for_the_window_are_forgotten_at_the_next_login():
    member = UserFactory()
    log_in(browser(ip="203.0.113.1"), member)
    log_in(browser(ip="203.0.113.2"), member)
    with time_machine.travel(timezone.now() + NEW_LOGIN_WINDOW + timedelta(days=1)):
        log_in(browser(ip="203.0.113.3"), member)
    assert LoginFingerprint.objects.filter(user=member).count() == 1


# --- Two-step login ------------------------------------------------------------------------


def test_setting_up_an_authenticator_sends_one_notice_not_one_for_the_codes_too(
    mailoutbox, django_capture_on_commit_callbacks
):
    member = UserFactory(email="ann@a.test")
    client = browser()
    client.force_login(member)
    client.get("/accounts/mfa/enrol/")
    device = TOTPDevice.objects.get(user=member, confirmed=False)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/accounts/mfa/enrol/", {"token": code_for(device)})

    assert response.status_code == 200
    assert len(mailoutbox) == 1
    assert_calm_notice(
        mailoutbox[0],
        to="ann@a.test",
        subject="Two-step login was set up on your PrivacyDesk account",
        where="Firefox on Windows, at IP address 198.51.100.7",
    )


def test_turning_two_step_login_off_is_e_mailed(
    verified_client, mailoutbox, django_capture_on_commit_callbacks
):
    member = UserFactory(email="ann@a.test")
    client = verified_client(member)
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/accounts/mfa/disable/")
    assert not TOTPDevice.objects.filter(user=member).exists()
    assert len(mailoutbox) == 1
    assert_calm_notice(
        mailoutbox[0],
        to="ann@a.test",
        subject="Two-step login was turned off on your PrivacyDesk account",
    )


def test_an_admin_reset_of_two_step_login_is_e_mailed_once_naming_the_admin_and_the_time(
    verified_client, mailoutbox, django_capture_on_commit_callbacks
):
    admin = ClientAdminFactory(full_name="Carol Admin")
    member = UserFactory(organisation=admin.organisation, email="dan@a.test")
    TOTPDevice.objects.create(user=member, name="Authenticator app", confirmed=True)
    client = verified_client(admin)

    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/console/users/{member.pk}/reset-mfa/")

    assert not TOTPDevice.objects.filter(user=member).exists()
    assert len(mailoutbox) == 1
    assert_calm_notice(mailoutbox[0], to="dan@a.test", subject="Your two-step login was reset")
    assert "by Carol Admin" in mailoutbox[0].body


def test_making_new_backup_codes_is_e_mailed(
    verified_client, mailoutbox, django_capture_on_commit_callbacks
):
    admin = ClientAdminFactory(email="carol@a.test")
    client = verified_client(admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/accounts/mfa/backup-codes/", HTTP_USER_AGENT=FIREFOX)
    assert response.status_code == 200
    assert len(mailoutbox) == 1
    assert_calm_notice(
        mailoutbox[0],
        to="carol@a.test",
        subject="New backup codes were made for your PrivacyDesk account",
        where="Firefox on Windows",
    )


def test_using_a_backup_code_is_e_mailed_with_the_codes_left(
    mailoutbox, django_capture_on_commit_callbacks
):
    admin = ClientAdminFactory(email="carol@a.test")
    TOTPDevice.objects.create(user=admin, name="Authenticator app", confirmed=True)
    code = mfa_backup_codes_issue(user=admin)[0]
    client = browser()
    log_in(client, admin)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/accounts/mfa/verify/", {"token": code})

    assert response.status_code == 302
    assert len(mailoutbox) == 1
    assert_calm_notice(
        mailoutbox[0],
        to="carol@a.test",
        subject="A backup code was used to log in to your PrivacyDesk account",
        where="at IP address 198.51.100.7",
    )
    assert "9 unused codes are left" in mailoutbox[0].body


def test_a_wrong_backup_code_sends_nothing(mailoutbox, django_capture_on_commit_callbacks):
    admin = ClientAdminFactory()
    TOTPDevice.objects.create(user=admin, name="Authenticator app", confirmed=True)
    mfa_backup_codes_issue(user=admin)
    client = browser()
    log_in(client, admin)
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/accounts/mfa/verify/", {"token": "zzzzz-zzzzz"})
    assert mailoutbox == []


# --- E-mail address ------------------------------------------------------------------------


def test_a_changed_address_tells_the_old_and_the_new_address_once_each_with_where_from(
    mailoutbox, django_capture_on_commit_callbacks
):
    admin = ClientAdminFactory()
    member = UserFactory(organisation=admin.organisation, email="dan@a.test")
    with django_capture_on_commit_callbacks(execute=True):
        user_email_change_request(user=member, new_email="dan@new.test", by=admin)
    link = re.search(r"/account/email/confirm/[^/\s]+/", mailoutbox[0].body + mailoutbox[1].body)
    mailoutbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        browser(ip="203.0.113.50").post(link.group(0))

    by_address = {mail.to[0]: mail for mail in mailoutbox}
    assert sorted(by_address) == ["dan@a.test", "dan@new.test"]
    where = "Firefox on Windows, at IP address 203.0.113.50"
    assert_calm_notice(
        by_address["dan@a.test"],
        to="dan@a.test",
        subject="Your PrivacyDesk e-mail address was changed",
        where=where,
    )
    assert_calm_notice(
        by_address["dan@new.test"],
        to="dan@new.test",
        subject="This is now your PrivacyDesk e-mail address",
        where=where,
    )


def test_a_notice_names_the_moment_of_the_event_not_when_the_worker_sent_it(mailoutbox):
    from accounts.tasks import send_account_notice

    member = UserFactory()
    context = {"at": "2026-07-01T12:00:00+00:00", "where": "Firefox on Windows"}
    send_account_notice(member.pk, "backup_codes_regenerated", context)

    assert "on 1 Jul 2026, 13:00 BST, from Firefox on Windows" in mailoutbox[0].body
