"""Passkeys in a real browser: Chromium's virtual authenticator (Chrome DevTools Protocol,
WebAuthn domain) stands in for a phone or a laptop's fingerprint reader, so every ceremony
runs the app's pages, django-otp-webauthn's script and py_webauthn's checks for real."""

import re

import pytest
from axes.models import AccessLog
from django.core import mail
from django_otp_webauthn.models import WebAuthnCredential
from playwright.sync_api import Page, expect

from accounts.models import User
from audit.models import AuditEntry
from security.models import UserSession
from tests.factories import TEST_PASSWORD, ClientAdminFactory, OrganisationFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

REFUSED = "That passkey does not match an active account."
NOT_ALONE = "Your organisation does not allow signing in with a passkey alone."


@pytest.fixture(autouse=True)
def _relying_party(settings, live_server):
    # The live server is http://localhost:<port>: the passkeys' domain and page origin.
    settings.OTP_WEBAUTHN_RP_ID = "localhost"
    settings.OTP_WEBAUTHN_ALLOWED_ORIGINS = [live_server.url]


@pytest.fixture
def authenticator(page: Page) -> dict:
    """A platform authenticator (a laptop's fingerprint reader) that verifies its user."""
    devtools = page.context.new_cdp_session(page)
    devtools.send("WebAuthn.enable")
    added = devtools.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "internal",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
                "automaticPresenceSimulation": True,
            }
        },
    )
    return {"devtools": devtools, "id": added["authenticatorId"]}


def stored_credentials(authenticator: dict) -> list:
    return authenticator["devtools"].send(
        "WebAuthn.getCredentials", {"authenticatorId": authenticator["id"]}
    )["credentials"]


def log_in(page: Page, email: str) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Log in").click()


def log_out(page: Page) -> None:
    page.get_by_role("button", name="Log out").first.click()
    expect(page).to_have_url(re.compile(r"/accounts/login/"))


def add_passkey(page: Page, name: str, button: str = "Add a passkey") -> None:
    page.get_by_role("button", name=button).click()
    expect(page.get_by_role("heading", level=1, name=re.compile("^Passkey “"))).to_be_visible()
    expect(page.get_by_role("status").first).to_contain_text("Passkey added")
    page.get_by_label("Name").fill(name)
    page.get_by_role("button", name="Save the name").click()


def sign_in_with_passkey(page: Page) -> None:
    page.goto("/accounts/login/")
    page.get_by_role("button", name="Sign in with a passkey").click()


def test_a_member_adds_a_passkey_signs_in_with_it_alone_and_a_removed_one_signs_in_no_more(
    page, authenticator
):
    """GIVEN a member of an organisation that allows sign-in with a passkey alone
    WHEN they add a passkey, name it, log out and sign in with it
    THEN they are in without their password, through the ordinary login (its access log,
    session and notices), and once they remove it, it signs nobody in."""
    member = UserFactory(
        full_name="Priya Shah", organisation=OrganisationFactory(passkey_sign_in=True)
    )
    log_in(page, member.email)
    page.goto("/account/security/")
    expect(page.get_by_role("main")).to_contain_text("you may also sign in with it alone")

    add_passkey(page, "Work laptop")

    expect(page).to_have_url(re.compile(r"/account/security/$"))
    expect(page.get_by_role("cell", name="Work laptop", exact=True)).to_be_visible()
    passkey = WebAuthnCredential.objects.get(user=member)
    assert passkey.name == "Work laptop"
    assert passkey.discoverable is True
    assert len(stored_credentials(authenticator)) == 1
    assert AuditEntry.objects.filter(action="passkey.enrol", target_id=str(member.pk)).exists()
    assert [m.subject for m in mail.outbox] == ["A passkey was added to your PrivacyDesk account"]

    log_out(page)
    logins_before = AccessLog.objects.filter(username=member.email).count()
    sign_in_with_passkey(page)

    expect(page).to_have_url(re.compile(r"/account/$"))
    expect(page.get_by_role("banner")).to_contain_text("Priya Shah")
    # The same login as with a password: logged for the rules, a session the person can end.
    assert AccessLog.objects.filter(username=member.email).count() == logins_before + 1
    assert UserSession.objects.filter(user=member, ended_at__isnull=True).count() == 1
    passkey.refresh_from_db()
    assert passkey.last_used_at is not None

    page.goto("/account/security/")
    page.get_by_role("link", name="Rename or remove the passkey Work laptop").click()
    page.get_by_role("button", name="Remove this passkey").click()
    expect(page.get_by_role("status").first).to_contain_text("no longer signs you in")
    assert not WebAuthnCredential.objects.filter(user=member).exists()
    assert mail.outbox[-1].subject == "A passkey was removed from your PrivacyDesk account"

    log_out(page)
    sign_in_with_passkey(page)

    # The browser still holds the key; the site no longer knows it.
    expect(page.locator("#passkey-verification-status-message")).to_have_text(REFUSED)
    expect(page).to_have_url(re.compile(r"/accounts/login/"))


def test_a_client_admin_sets_up_two_step_login_with_a_passkey_and_uses_it_after_the_password(
    page, authenticator
):
    """GIVEN a new client admin (two-step login required) whose organisation does not allow
    sign-in with a passkey alone
    WHEN they choose a passkey instead of an authenticator app, then log in again
    THEN the passkey is their second step, and it does not sign them in on its own."""
    admin = ClientAdminFactory()
    log_in(page, admin.email)
    expect(page).to_have_url(re.compile(r"/accounts/mfa/enrol/"))

    add_passkey(page, "Office laptop", button="Use a passkey")

    # Set up and verified: the console, their workspace, opens.
    expect(page).to_have_url(re.compile(r"/console/"))
    log_out(page)

    log_in(page, admin.email)
    expect(page).to_have_url(re.compile(r"/accounts/mfa/verify/"))
    # Nothing else opens before the second step.
    page.goto("/console/")
    expect(page).to_have_url(re.compile(r"/accounts/mfa/verify/"))
    page.get_by_role("button", name="Use your passkey").click()
    expect(page).to_have_url(re.compile(r"/console/$"))
    log_out(page)

    sign_in_with_passkey(page)
    expect(page.locator("#passkey-verification-status-message")).to_contain_text(NOT_ALONE)
    page.goto("/console/")
    expect(page).to_have_url(re.compile(r"/accounts/login/"))


def test_a_suspended_persons_passkey_is_refused_in_the_words_of_an_unknown_one(page, authenticator):
    member = UserFactory(organisation=OrganisationFactory(passkey_sign_in=True))
    log_in(page, member.email)
    page.goto("/account/security/")
    add_passkey(page, "Phone")
    log_out(page)
    User.objects.filter(pk=member.pk).update(status=User.Status.SUSPENDED)

    sign_in_with_passkey(page)

    expect(page.locator("#passkey-verification-status-message")).to_have_text(REFUSED)
    page.goto("/account/")
    expect(page).to_have_url(re.compile(r"/accounts/login/"))


def test_a_passkey_sign_in_meets_the_suspicious_activity_rules_like_any_login(
    page, authenticator, settings
):
    """GIVEN a client admin of an organisation that allows passkey sign-in, whose earlier
    logins all came from elsewhere, and the new-IP rule for privileged accounts set to hold
    WHEN they sign in with their passkey
    THEN the rule holds the account, this login ends, and the login page says why."""
    settings.SUSPICIOUS_ACTIVITY_RULES = {
        **settings.SUSPICIOUS_ACTIVITY_RULES,
        "privileged_new_ip": {"enabled": True, "severity": "high"},
    }
    admin = ClientAdminFactory(organisation=OrganisationFactory(passkey_sign_in=True))
    log_in(page, admin.email)
    add_passkey(page, "Laptop", button="Use a passkey")
    expect(page).to_have_url(re.compile(r"/console/"))
    log_out(page)
    AccessLog.objects.filter(username=admin.email).update(ip_address="198.51.100.1")

    sign_in_with_passkey(page)

    expect(page).to_have_url(re.compile(r"/accounts/login/"))
    expect(page.get_by_role("status").first).to_contain_text("held pending review")
    admin.refresh_from_db()
    assert admin.status == User.Status.SUSPENDED
    assert admin.investigations.get().rule == "privileged_new_ip"
    page.goto("/console/")
    expect(page).to_have_url(re.compile(r"/accounts/login/"))
