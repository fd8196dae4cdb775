"""Lifting a login lockout: staff on the person's page (audited, the person told), and the
person themself by completing a password reset."""

import pytest
from django.conf import settings
from django.test import Client

from audit.models import AuditEntry
from tests.factories import (
    TEST_PASSWORD,
    ClientAdminFactory,
    DpoFactory,
    SupportFactory,
    UserFactory,
)
from tests.security.test_passwords import reset_link

pytestmark = pytest.mark.django_db

IP = "198.51.100.44"
OTHER_IP = "203.0.113.45"
NEW_PASSWORD = "a fresh and long passphrase"
LIFTED = "Logging in to your PrivacyDesk account is possible again"


def attempt(email, password, ip=IP):
    return Client().post(
        "/accounts/login/", {"username": email, "password": password}, REMOTE_ADDR=ip
    )


def lock_out(user, ip=IP):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        attempt(user.email, "not the password", ip=ip)
    assert attempt(user.email, TEST_PASSWORD, ip=ip).status_code == 429


def lift_url(user) -> str:
    return f"/backoffice/people/{user.pk}/lockout/lift/"


def test_support_sees_the_lockout_and_lifts_it_and_the_person_is_told(
    verified_client, mailoutbox, django_capture_on_commit_callbacks
):
    member = UserFactory(full_name="Sam Locked")
    lock_out(member)
    lock_out(member, ip=OTHER_IP)
    support = verified_client(SupportFactory())

    page = support.get(f"/backoffice/people/{member.pk}/").content.decode()
    assert "Logging in is paused after too many wrong passwords, from 2 places" in page
    assert "Lift the lockout" in page

    with django_capture_on_commit_callbacks(execute=True):
        response = support.post(lift_url(member), follow=True)

    assert "Sam Locked&#x27;s lockout was lifted" in response.content.decode()
    assert "Not locked out." in response.content.decode()
    assert attempt(member.email, TEST_PASSWORD).status_code == 302
    assert attempt(member.email, TEST_PASSWORD, ip=OTHER_IP).status_code == 302
    entry = AuditEntry.objects.get(action="lockout.lift")
    assert entry.target_id == str(member.pk)
    assert entry.details == {"places": 2}
    assert [m.subject for m in mailoutbox if m.to == [member.email]][-1] == LIFTED


def test_the_dpo_lifts_a_client_admins_lockout_too(verified_client):
    admin = ClientAdminFactory()
    lock_out(admin)
    dpo = verified_client(DpoFactory())

    dpo.post(lift_url(admin))

    assert attempt(admin.email, TEST_PASSWORD).status_code == 302


def test_nothing_to_lift_is_said_and_nothing_is_recorded(verified_client):
    member = UserFactory()
    support = verified_client(SupportFactory())

    page = support.get(f"/backoffice/people/{member.pk}/").content.decode()
    assert "Not locked out." in page
    assert "Lift the lockout" not in page
    response = support.post(lift_url(member), follow=True)

    assert "not paused: nothing to lift" in response.content.decode()
    assert not AuditEntry.objects.filter(action="lockout.lift").exists()


def test_a_client_admin_or_member_cannot_lift_a_lockout(verified_client):
    member = UserFactory()
    lock_out(member)
    admin = verified_client(ClientAdminFactory(organisation=member.organisation))

    response = admin.post(lift_url(member))

    assert response.status_code == 403
    assert attempt(member.email, TEST_PASSWORD).status_code == 429
    assert not AuditEntry.objects.filter(action="lockout.lift").exists()


def test_staff_accounts_are_not_unlocked_from_the_people_pages(verified_client):
    colleague = SupportFactory()
    lock_out(colleague)
    dpo = verified_client(DpoFactory())

    page = dpo.get(f"/backoffice/people/{colleague.pk}/").content.decode()
    response = dpo.post(lift_url(colleague), follow=True)

    assert "Lift the lockout" not in page
    assert "Staff accounts are not managed in the back office." in response.content.decode()
    assert attempt(colleague.email, TEST_PASSWORD).status_code == 429


def test_a_completed_password_reset_lifts_the_persons_own_lockout(
    client, mailoutbox, django_capture_on_commit_callbacks
):
    """GIVEN a person locked out after forgetting their password
    WHEN they reset it through the e-mailed link
    THEN they log in with the new one at once, from the very place they were locked out."""
    member = UserFactory()
    lock_out(member)
    assert attempt(member.email, NEW_PASSWORD).status_code == 429

    with django_capture_on_commit_callbacks(execute=True):
        client.post("/accounts/password/reset/", {"email": member.email}, REMOTE_ADDR=IP)
    form_page = client.get(reset_link(mailoutbox[-1].body), follow=True)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            form_page.request["PATH_INFO"],
            {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
        )

    assert attempt(member.email, NEW_PASSWORD).status_code == 302
    entry = AuditEntry.objects.get(action="user.password_change")
    assert entry.details["via"] == "reset"
    assert entry.details["lockouts_lifted"] == 1


def test_a_password_change_while_logged_in_leaves_another_places_lockout(client):
    member = UserFactory()
    lock_out(member, ip=OTHER_IP)
    client.force_login(member)

    client.post(
        "/accounts/password/change/",
        {
            "old_password": TEST_PASSWORD,
            "new_password1": NEW_PASSWORD,
            "new_password2": NEW_PASSWORD,
        },
    )

    # Only the e-mailed reset proves the mailbox; a session may be someone else's.
    assert attempt(member.email, NEW_PASSWORD, ip=OTHER_IP).status_code == 429
