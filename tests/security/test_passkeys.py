"""Passkeys on the server: naming, listing and removing them, who may sign in with one alone,
how they count as two-step login, and the ceremonies' answers to bad input. The ceremonies
themselves, with real signatures, are in tests/browser/test_passkeys_browser.py."""

import pytest
from django.test import Client
from django_otp_webauthn.models import WebAuthnCredential

from accounts.models import Organisation
from accounts.services.users import user_reset_mfa
from audit.models import AuditEntry
from datamap import Subject
from datamap.engines import export_subject
from security.models import BackupCodeDevice
from security.selectors import passkey_sign_in_allowed
from security.services import self_check
from tests.conftest import otp_device_for
from tests.factories import (
    TEST_PASSWORD,
    ClientAdminFactory,
    DpoFactory,
    OrganisationFactory,
    PasskeyFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

CEREMONIES = "/accounts/mfa/passkeys/"


def passkey_page(passkey) -> str:
    return f"/account/security/passkeys/{passkey.pk}/"


def log_in_with_passkey_verified(client, passkey):
    """A session whose second step was this passkey (as the ceremony leaves it)."""
    client.force_login(passkey.user)
    session = client.session
    session["otp_device_id"] = passkey.persistent_id
    session.save()
    return client


# --- The security page: list, name, remove -------------------------------------------------


def test_the_security_page_lists_ones_own_passkeys_by_name_and_no_one_elses(client):
    member = UserFactory()
    log_in_with_passkey_verified(client, PasskeyFactory(user=member, name="Work laptop"))
    PasskeyFactory(name="Somebody else's phone")

    page = client.get("/account/security/").content.decode()

    assert "Work laptop" in page
    assert "Somebody else" not in page
    assert "Add a passkey" in page
    # Acme-like default: the organisation has not allowed sign-in with a passkey alone.
    assert "you may also sign in with it alone" not in page


def test_the_owner_renames_a_passkey_and_the_trail_keeps_both_names(client):
    member = UserFactory()
    passkey = PasskeyFactory(user=member, name="Passkey on Chrome on Linux")
    log_in_with_passkey_verified(client, passkey)

    response = client.post(passkey_page(passkey), {"name": "  Work   laptop "}, follow=True)

    assert "The passkey is called “Work laptop”." in response.content.decode()
    passkey.refresh_from_db()
    assert passkey.name == "Work laptop"
    entry = AuditEntry.objects.get(action="passkey.rename")
    assert entry.details == {
        "passkey": passkey.pk,
        "from": "Passkey on Chrome on Linux",
        "to": "Work laptop",
    }


def test_a_blank_name_is_refused_on_the_form(client):
    passkey = PasskeyFactory()
    log_in_with_passkey_verified(client, passkey)

    response = client.post(passkey_page(passkey), {"name": "   "})

    assert response.status_code == 400
    assert "There is a problem" in response.content.decode()
    assert not AuditEntry.objects.filter(action="passkey.rename").exists()


def test_after_naming_a_new_passkey_the_set_up_continues_where_it_was_going(client):
    passkey = PasskeyFactory()
    log_in_with_passkey_verified(client, passkey)

    response = client.post(passkey_page(passkey) + "?next=/account/rights/", {"name": "Phone"})
    assert response["Location"] == "/account/rights/"
    offsite = client.post(passkey_page(passkey) + "?next=https://evil.example/", {"name": "X"})
    assert offsite["Location"] == "/account/security/"


def test_another_persons_passkey_is_not_there(client):
    passkey = PasskeyFactory()
    log_in_with_passkey_verified(client, PasskeyFactory())

    assert client.get(passkey_page(passkey)).status_code == 404
    assert client.post(passkey_page(passkey) + "remove/").status_code == 404
    assert WebAuthnCredential.objects.filter(pk=passkey.pk).exists()


def test_removing_a_passkey_tells_the_owner_and_records_it(
    client, mailoutbox, django_capture_on_commit_callbacks
):
    member = UserFactory()
    keep = PasskeyFactory(user=member, name="Phone")
    lost = PasskeyFactory(user=member, name="Old laptop")
    log_in_with_passkey_verified(client, keep)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(passkey_page(lost) + "remove/", follow=True)

    assert "The passkey “Old laptop” was removed" in response.content.decode()
    assert list(WebAuthnCredential.objects.filter(user=member)) == [keep]
    assert mailoutbox[-1].subject == "A passkey was removed from your PrivacyDesk account"
    assert '"Old laptop"' in mailoutbox[-1].body
    entry = AuditEntry.objects.get(action="passkey.remove")
    assert entry.details == {"passkey": lost.pk, "two_step_off": False}


def test_a_client_admins_last_way_of_two_step_login_cannot_be_removed(client):
    admin = ClientAdminFactory()
    only = PasskeyFactory(user=admin)
    log_in_with_passkey_verified(client, only)

    response = client.post(passkey_page(only) + "remove/", follow=True)

    assert "your account needs two-step login" in response.content.decode()
    assert WebAuthnCredential.objects.filter(pk=only.pk).exists()
    assert not AuditEntry.objects.filter(action="passkey.remove").exists()


def test_with_an_authenticator_app_too_a_client_admin_may_remove_their_passkey(verified_client):
    admin = ClientAdminFactory()
    passkey = PasskeyFactory(user=admin)
    client = verified_client(admin)  # has an authenticator app

    client.post(passkey_page(passkey) + "remove/")

    assert not WebAuthnCredential.objects.filter(pk=passkey.pk).exists()


def test_removing_a_volunteers_last_passkey_turns_two_step_login_off(
    client, mailoutbox, django_capture_on_commit_callbacks
):
    member = UserFactory()
    passkey = PasskeyFactory(user=member)
    BackupCodeDevice.objects.create(user=member, name="Backup codes", confirmed=True)
    log_in_with_passkey_verified(client, passkey)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(passkey_page(passkey) + "remove/", follow=True)

    assert "Two-step login is now off." in response.content.decode()
    assert not BackupCodeDevice.objects.filter(user=member).exists()
    assert "two-step login is now off" in mailoutbox[-1].body
    # A fresh login asks for nothing more than the password.
    fresh = Client()
    login = fresh.post("/accounts/login/", {"username": member.email, "password": TEST_PASSWORD})
    assert login["Location"] == "/account/"


# --- Two-step login with a passkey ---------------------------------------------------------


def test_a_passkey_only_second_step_offers_the_passkey_and_no_code(client):
    admin = ClientAdminFactory()
    PasskeyFactory(user=admin)

    login = client.post("/accounts/login/", {"username": admin.email, "password": TEST_PASSWORD})
    assert login["Location"].startswith("/accounts/mfa/verify/")
    page = client.get(login["Location"]).content.decode()

    assert "Use your passkey" in page
    assert 'id="otp_webauthn_config"' in page
    assert "Code from" not in page and 'name="token"' not in page


def test_with_both_the_second_step_offers_the_passkey_and_the_code(client):
    admin = ClientAdminFactory()
    PasskeyFactory(user=admin)
    otp_device_for(admin)

    client.post("/accounts/login/", {"username": admin.email, "password": TEST_PASSWORD})
    page = client.get("/accounts/mfa/verify/").content.decode()

    assert "Use your passkey" in page
    assert 'name="token"' in page


def test_a_passkey_counts_as_two_step_login_for_the_self_check():
    admin = ClientAdminFactory()
    assert not self_check.check_mfa_for_privileged().passed

    PasskeyFactory(user=admin)

    assert self_check.check_mfa_for_privileged().passed


def test_backup_codes_can_be_made_with_a_passkey_alone(client):
    passkey = PasskeyFactory()
    log_in_with_passkey_verified(client, passkey)

    page = client.post("/accounts/mfa/backup-codes/").content.decode()

    assert BackupCodeDevice.objects.get(user=passkey.user).remaining == 10
    assert "backup" in page.lower()


def test_resetting_two_step_login_removes_the_passkeys_too():
    admin = ClientAdminFactory()
    PasskeyFactory(user=admin)
    member = UserFactory(organisation=admin.organisation)
    PasskeyFactory(user=member)

    user_reset_mfa(user=member, by=admin)

    assert not WebAuthnCredential.objects.filter(user=member).exists()
    assert WebAuthnCredential.objects.filter(user=admin).exists()


def test_turning_two_step_login_off_removes_the_passkeys_too(verified_client):
    member = UserFactory()
    PasskeyFactory(user=member)
    client = verified_client(member)

    client.post("/accounts/mfa/disable/")

    assert not WebAuthnCredential.objects.filter(user=member).exists()


# --- Who may sign in with a passkey alone ---------------------------------------------------


def test_sign_in_alone_follows_the_organisation_and_for_staff_the_setting(settings):
    allowing = OrganisationFactory(passkey_sign_in=True)
    assert passkey_sign_in_allowed(UserFactory(organisation=allowing))
    assert not passkey_sign_in_allowed(UserFactory())
    assert not passkey_sign_in_allowed(UserFactory(organisation=allowing, status="suspended"))

    dpo = DpoFactory()
    settings.PASSKEY_SIGN_IN_STAFF = False
    assert not passkey_sign_in_allowed(dpo)
    settings.PASSKEY_SIGN_IN_STAFF = True
    assert passkey_sign_in_allowed(dpo)


def test_the_client_admin_allows_sign_in_with_a_passkey_alone_and_it_is_audited(
    verified_client,
):
    admin = ClientAdminFactory()
    client = verified_client(admin)
    assert "Allow sign-in with a passkey alone" in client.get("/console/settings/").content.decode()

    response = client.post("/console/settings/passkeys/", {"passkeys-sign_in": "on"}, follow=True)

    assert "may now sign in with a passkey alone" in response.content.decode()
    assert Organisation.objects.get(pk=admin.organisation_id).passkey_sign_in
    entry = AuditEntry.objects.get(action="organisation.passkey_sign_in")
    assert entry.details == {"passkey_sign_in": True}

    client.post("/console/settings/passkeys/", {})
    assert not Organisation.objects.get(pk=admin.organisation_id).passkey_sign_in
    assert AuditEntry.objects.filter(action="organisation.passkey_sign_in").count() == 2


def test_a_member_cannot_change_the_passkey_setting(verified_client):
    member = UserFactory()
    client = verified_client(member)

    response = client.post("/console/settings/passkeys/", {"passkeys-sign_in": "on"})

    assert response.status_code == 403
    assert not Organisation.objects.get(pk=member.organisation_id).passkey_sign_in


def test_the_back_office_shows_the_organisations_passkey_setting(verified_client):
    organisation = OrganisationFactory(passkey_sign_in=True)
    dpo = verified_client(DpoFactory())

    page = dpo.get(f"/backoffice/organisations/{organisation.pk}/").content.decode()

    assert "may sign in with a passkey alone" in page


# --- The data map ----------------------------------------------------------------------------


def test_an_access_request_exports_a_passkeys_name_but_never_its_key():
    passkey = PasskeyFactory(name="Work laptop")

    sections = {
        s.entry.name: s.rows for s in export_subject(Subject.of(user_ids=[passkey.user_id]))
    }

    assert [row["name"] for row in sections["security.passkeys"]] == ["Work laptop"]
    assert "public_key" not in sections["security.passkeys"][0]
    assert "credential_id" not in sections["security.passkeys"][0]


def test_the_people_page_shows_a_persons_passkeys(verified_client):
    member = UserFactory()
    PasskeyFactory(user=member, name="Work laptop")
    dpo = verified_client(DpoFactory())

    page = dpo.get(f"/backoffice/people/{member.pk}/").content.decode()

    assert "Passkey “Work laptop”" in page


def test_a_person_with_only_a_passkey_counts_as_enrolled_in_the_people_search(verified_client):
    member = UserFactory(full_name="Pat Passkey")
    PasskeyFactory(user=member)
    dpo = verified_client(DpoFactory())

    page = dpo.get("/backoffice/people/", {"search": "Pat Passkey"}).content.decode()

    row = page[page.rindex("Pat Passkey") :]  # the row, past the search box
    assert row.index("Enrolled") < row.index("</tr>")
