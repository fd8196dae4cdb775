"""Two-step login in a real browser: a code from the authenticator, and a first enrolment."""

import base64
import re

import pytest
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Page, expect

from tests.factories import TEST_PASSWORD, ClientAdminFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def log_in(page: Page, email: str) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Log in").click()


def current_code(key: bytes) -> str:
    return f"{TOTP(key).token():06d}"


def test_a_client_admin_logs_in_with_password_then_a_code_from_their_app(page):
    admin = ClientAdminFactory(full_name="Grace Wood")
    device = TOTPDevice.objects.create(user=admin, name="Authenticator app", confirmed=True)

    log_in(page, admin.email)

    expect(page).to_have_url(re.compile(r"/accounts/mfa/verify/"))
    expect(page.get_by_role("heading", name="Two-step login", level=1)).to_be_visible()
    # Nothing else is reachable before the second step.
    page.goto("/account/")
    expect(page).to_have_url(re.compile(r"/accounts/mfa/verify/\?next=%2Faccount%2F$"))

    page.get_by_label("Code").fill(current_code(device.bin_key))
    page.get_by_role("button", name="Continue").click()

    # The page asked for before the second step wins over the console, their workspace.
    expect(page).to_have_url(re.compile(r"/account/$"))
    expect(page.get_by_role("heading", name="My account", level=1)).to_be_visible()
    expect(page.get_by_role("banner")).to_contain_text("Grace Wood")


def test_a_wrong_code_is_refused_with_a_message_tied_to_the_field(page):
    admin = ClientAdminFactory()
    device = TOTPDevice.objects.create(user=admin, name="Authenticator app", confirmed=True)
    log_in(page, admin.email)
    wrong = f"{(int(current_code(device.bin_key)) + 500_000) % 1_000_000:06d}"

    page.get_by_label("Code").fill(wrong)
    page.get_by_role("button", name="Continue").click()

    expect(page.locator("#id_token_error")).to_contain_text("That code is not right")
    expect(page.get_by_label("Code")).to_have_attribute(
        "aria-describedby", re.compile("id_token_error")
    )
    # The summary at the top links to the field.
    summary = page.get_by_role("alert", name="There is a problem")
    summary.get_by_role("link", name=re.compile("That code is not right")).click()
    expect(page.get_by_label("Code")).to_be_focused()
    expect(page).to_have_url(re.compile(r"/accounts/mfa/verify/"))


def test_a_new_client_admin_enrols_an_authenticator_and_sees_the_backup_codes_once(page):
    admin = ClientAdminFactory()

    log_in(page, admin.email)

    expect(page).to_have_url(re.compile(r"/accounts/mfa/enrol/"))
    expect(page.get_by_role("heading", name="Set up two-step login", level=1)).to_be_visible()
    expect(page.locator("figure svg")).to_be_visible()  # the QR code, drawn by the app
    # "Scanning": the key the page shows is the one a phone would read from the QR code.
    secret = page.locator("[data-secret]").inner_text().replace(" ", "")
    key = base64.b32decode(secret + "=" * (-len(secret) % 8))

    page.get_by_label("Code from the app").fill(current_code(key))
    page.get_by_role("button", name="Confirm").click()

    expect(page.get_by_role("heading", name="Two-step login is set up", level=1)).to_be_visible()
    codes = page.get_by_role("list", name="Backup codes").get_by_role("listitem")
    expect(codes).to_have_count(10)
    first_code = codes.first.inner_text()
    assert re.fullmatch(r"[0-9a-z]{5}-[0-9a-z]{5}", first_code)

    page.get_by_role("link", name="I have saved my codes").click()
    expect(page).to_have_url(re.compile(r"/console/$"))

    page.goto("/account/security/")
    expect(page.get_by_role("main")).to_contain_text("10 unused backup codes left")
    expect(page.get_by_role("main")).not_to_contain_text(first_code)
