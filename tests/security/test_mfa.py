"""Two-step login: who must have it, enrolment, verification, backup codes, throttling."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.core.management import call_command
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.demo import DEMO_PASSWORD
from accounts.models import Role
from accounts.services.organisations import organisation_set_mfa_required
from audit.models import AuditEntry
from security.demo import demo_totp_key
from security.models import BackupCode, BackupCodeDevice
from security.services.mfa import mfa_backup_codes_issue
from tests.factories import (
    TEST_PASSWORD,
    ClientAdminFactory,
    DpoFactory,
    OrganisationFactory,
    StaffUserFactory,
    SupportFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

ENROL = "/accounts/mfa/enrol/"
VERIFY = "/accounts/mfa/verify/"
CODE_PATTERN = re.compile(r"<code>([0-9a-z]{5}-[0-9a-z]{5})</code>")


def code_for(device: TOTPDevice, at=None) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    if at is not None:
        totp.time = at.timestamp()
    return f"{totp.token():06d}"


def log_in(client, user, password=TEST_PASSWORD):
    return client.post("/accounts/login/", {"username": user.email, "password": password})


def confirmed_device(user) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=True)


def superuser():
    return StaffUserFactory(is_superuser=True)


@pytest.mark.parametrize(
    "make_user", [ClientAdminFactory, DpoFactory, SupportFactory, superuser], ids=str
)
@pytest.mark.parametrize("path", ["/", "/account/", "/account/security/", "/privacy/", "/admin/"])
def test_a_privileged_user_without_a_device_reaches_only_enrolment(client, make_user, path):
    user = make_user()
    client.force_login(user)

    response = client.get(path)

    assert response.status_code == 302
    assert response["Location"].startswith(ENROL)
    assert client.get(ENROL).status_code == 200


def test_a_member_of_an_organisation_that_requires_mfa_is_sent_to_enrolment(client):
    member = UserFactory(organisation=OrganisationFactory(mfa_required=True))
    client.force_login(member)
    response = client.get("/account/")
    assert response.status_code == 302
    assert response["Location"] == ENROL + "?next=%2Faccount%2F"


def test_a_member_of_a_normal_organisation_is_not_asked_for_a_second_step(client):
    member = UserFactory()
    client.force_login(member)
    assert client.get("/account/").status_code == 200


def test_members_are_stopped_as_soon_as_their_organisation_requires_mfa(client):
    member = UserFactory()
    admin = ClientAdminFactory(organisation=member.organisation)
    client.force_login(member)
    assert client.get("/account/").status_code == 200

    organisation_set_mfa_required(organisation=member.organisation, mfa_required=True, by=admin)

    assert client.get("/account/")["Location"].startswith(ENROL)


def test_logout_stays_reachable_before_the_second_step(client):
    client.force_login(ClientAdminFactory())
    response = client.post("/accounts/logout/")
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


def test_the_api_refuses_a_session_that_has_not_passed_the_second_step(client):
    client.force_login(ClientAdminFactory())
    response = client.get("/api/v1/users/")
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "mfa_required"


def test_enrolment_with_a_code_from_the_device_key_confirms_it_and_shows_ten_backup_codes(client):
    admin = ClientAdminFactory()
    log_in(client, admin)

    page = client.get(ENROL)
    html = page.content.decode()
    assert "<svg" in html  # the QR code is drawn by the app, inline
    assert "http" not in html.split("<svg", 1)[1].split("</svg>", 1)[0].replace(
        "http://www.w3.org/2000/svg", ""
    )
    device = TOTPDevice.objects.get(user=admin, confirmed=False)
    secret = re.search(r"data-secret>([A-Z2-7 ]+)<", html).group(1)
    assert secret.replace(" ", "") in device.config_url

    response = client.post(ENROL, {"token": code_for(device), "next": "/account/security/"})

    assert response.status_code == 200
    codes = CODE_PATTERN.findall(response.content.decode())
    assert len(codes) == len(set(codes)) == 10
    device.refresh_from_db()
    assert device.confirmed
    assert client.get("/account/").status_code == 200  # verified now
    actions = list(
        AuditEntry.objects.filter(actor=admin).order_by("id").values_list("action", flat=True)
    )
    assert actions == ["mfa.enrol", "mfa.backup_codes_issue"]


def test_a_wrong_enrolment_code_is_refused(client):
    admin = ClientAdminFactory()
    log_in(client, admin)
    client.get(ENROL)
    device = TOTPDevice.objects.get(user=admin)
    wrong = f"{(int(code_for(device)) + 1) % 1_000_000:06d}"

    response = client.post(ENROL, {"token": wrong})

    assert response.status_code == 200
    assert "That code is not right" in response.content.decode()
    device.refresh_from_db()
    assert not device.confirmed
    assert client.get("/account/").status_code == 302


def test_enrolment_keeps_the_same_key_until_it_is_confirmed(client):
    admin = ClientAdminFactory()
    log_in(client, admin)
    client.get(ENROL)
    client.get(ENROL)
    assert TOTPDevice.objects.filter(user=admin).count() == 1


def test_backup_codes_are_stored_hashed_and_shown_only_once(client):
    admin = ClientAdminFactory()
    log_in(client, admin)
    client.get(ENROL)
    device = TOTPDevice.objects.get(user=admin)
    codes = CODE_PATTERN.findall(client.post(ENROL, {"token": code_for(device)}).content.decode())

    hashes = list(BackupCode.objects.filter(device__user=admin).values_list("code_hash", flat=True))
    assert len(hashes) == 10
    for code in codes:
        assert all(code not in h and code.replace("-", "") not in h for h in hashes)
    security = client.get("/account/security/").content.decode()
    assert "10 unused backup codes left" in security
    assert not any(code in security for code in codes)
    # The enrolment page does not show them again either: it offers a new authenticator.
    assert not any(code in client.get(ENROL).content.decode() for code in codes)


def test_a_backup_code_logs_in_once(client):
    admin = ClientAdminFactory()
    confirmed_device(admin)
    code = mfa_backup_codes_issue(user=admin)[0]

    log_in(client, admin)
    response = client.post(VERIFY, {"token": code.upper(), "next": "/account/"})
    assert response.status_code == 302
    assert response["Location"] == "/account/"
    assert client.get("/account/").status_code == 200
    assert BackupCodeDevice.objects.get(user=admin).remaining == 9

    client.post("/accounts/logout/")
    log_in(client, admin)
    with time_machine.travel(timezone.now() + timedelta(seconds=5)):  # past the throttle
        again = client.post(VERIFY, {"token": code})
    assert again.status_code == 200
    assert "That code is not right" in again.content.decode()


def test_a_user_with_a_device_must_enter_a_code_after_the_password(client):
    admin = ClientAdminFactory()
    device = confirmed_device(admin)

    response = log_in(client, admin)
    # No next asked for: once through, the second step sends them to their workspace.
    assert response["Location"] == VERIFY
    assert client.get("/account/")["Location"] == VERIFY + "?next=%2Faccount%2F"
    # Someone who knows only the password cannot enrol a second authenticator.
    assert client.get(ENROL)["Location"].startswith(VERIFY)

    before = client.session.session_key
    response = client.post(VERIFY, {"token": code_for(device), "next": "/account/"})

    assert response.status_code == 302
    assert response["Location"] == "/account/"
    assert client.session.session_key != before  # the key rotates again after the second step
    assert client.session[DEVICE_ID_SESSION_KEY] == device.persistent_id
    assert client.get("/account/").status_code == 200


def test_wrong_codes_are_throttled_and_the_wait_is_shown(client):
    admin = ClientAdminFactory()
    device = confirmed_device(admin)
    log_in(client, admin)
    now = timezone.now()
    wrong = f"{(int(code_for(device, now)) + 1) % 1_000_000:06d}"

    with time_machine.travel(now, tick=False):
        first = client.post(VERIFY, {"token": wrong})
        assert first.status_code == 200
        assert "That code is not right" in first.content.decode()
        # A second guess at once is refused without being checked, even the right code.
        refused = client.post(VERIFY, {"token": code_for(device, now)})
    assert refused.status_code == 429
    assert "too many wrong codes. Wait 1 second" in refused.content.decode()
    assert client.get("/account/").status_code == 302

    # Each wrong code doubles the wait; from the third one the page says how long.
    for seconds in (2, 4):
        now += timedelta(seconds=seconds)
        with time_machine.travel(now, tick=False):
            response = client.post(VERIFY, {"token": wrong})
    assert response.status_code == 429
    assert "Wait 4 seconds" in response.content.decode()

    later = now + timedelta(seconds=60)
    with time_machine.travel(later, tick=False):
        assert client.post(VERIFY, {"token": code_for(device, later)}).status_code == 302
        assert client.get("/account/").status_code == 200


def test_backup_code_guesses_are_throttled_too(client):
    admin = ClientAdminFactory()
    confirmed_device(admin)
    code = mfa_backup_codes_issue(user=admin)[0]
    log_in(client, admin)
    with time_machine.travel(timezone.now(), tick=False):
        client.post(VERIFY, {"token": "aaaaa-aaaaa"})
        refused = client.post(VERIFY, {"token": code})
    assert refused.status_code == 429
    assert BackupCodeDevice.objects.get(user=admin).remaining == 10


def test_a_volunteer_enrols_from_their_security_page_and_is_asked_at_each_login(client):
    member = UserFactory()
    client.force_login(member)
    assert "Set up two-step login" in client.get("/account/security/").content.decode()
    client.get(ENROL)
    device = TOTPDevice.objects.get(user=member)
    client.post(ENROL, {"token": code_for(device)})
    client.post("/accounts/logout/")

    response = log_in(client, member)

    assert response["Location"].startswith(VERIFY)
    assert client.get("/account/").status_code == 302


def test_a_volunteer_may_turn_two_step_login_off_but_a_client_admin_may_not(
    client, verified_client
):
    member = UserFactory()
    verified_client(member)
    mfa_backup_codes_issue(user=member)
    response = client.post("/accounts/mfa/disable/", follow=True)
    assert "Two-step login is off" in response.content.decode()
    assert not TOTPDevice.objects.filter(user=member).exists()
    assert not BackupCodeDevice.objects.filter(user=member).exists()
    assert AuditEntry.objects.filter(action="mfa.disable", actor=member).exists()

    admin = ClientAdminFactory()
    verified_client(admin)
    response = client.post("/accounts/mfa/disable/", follow=True)
    assert "required for your account" in response.content.decode()
    assert TOTPDevice.objects.filter(user=admin).exists()


def test_new_backup_codes_replace_the_old_ones(client, verified_client):
    admin = ClientAdminFactory()
    verified_client(admin)
    old = mfa_backup_codes_issue(user=admin)

    response = client.post("/accounts/mfa/backup-codes/")

    new = CODE_PATTERN.findall(response.content.decode())
    assert len(new) == 10
    assert not set(new) & set(old)
    device = BackupCodeDevice.objects.get(user=admin)
    assert not device.verify_token(old[0])
    device.throttle_reset()
    assert device.verify_token(new[0])


def test_a_verified_superuser_uses_the_django_admin(client, verified_client):
    verified_client(superuser())
    assert client.get("/admin/").status_code == 200


def test_a_superuser_who_has_not_passed_the_second_step_cannot_use_the_admin(client):
    root = superuser()
    confirmed_device(root)
    log_in(client, root)
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith(VERIFY)
    assert client.get("/admin/accounts/user/").status_code == 302


def test_a_verified_client_admin_is_not_let_into_the_django_admin(client, verified_client):
    verified_client(ClientAdminFactory())
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


def test_seeded_demo_accounts_log_in_with_the_printed_backup_codes_and_key(client, capsys):
    call_command("seed_demo")
    out = capsys.readouterr().out
    block = out.split("admin@brightwater.example\n", 1)[1]
    printed_code = re.search(r"backup codes:\s+(\S+)", block).group(1)
    call_command("seed_demo")  # a second run keeps the printed codes valid

    client.post(
        "/accounts/login/",
        {"username": "admin@brightwater.example", "password": DEMO_PASSWORD},
    )
    assert client.post(VERIFY, {"token": printed_code}).status_code == 302
    assert client.get("/account/").status_code == 200

    member = UserFactory._meta.model.objects.get(email="grace.wood@brightwater.example")
    assert member.role == Role.MEMBER
    device = TOTPDevice.objects.get(user=member, confirmed=True)
    assert device.key == demo_totp_key(member.email)
    assert "authenticator key:" in out
