"""Workspaces in Chromium (issue 15): a demo client admin logs in with the code from their
authenticator and lands in the console; the back office's navigation stays compact on a phone."""

import re

import pytest
from django.core.management import call_command
from django_otp.oath import TOTP
from playwright.sync_api import Page, expect

from accounts.demo import DEMO_PASSWORD
from security.demo import demo_totp_key
from tests.browser.test_csp_browser import signed_in
from tests.factories import DpoFactory, SupportFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}
# The back office's navigation on a 390 px screen: the old dozen pills took six rows.
MAX_PHONE_NAV_HEIGHT = 200


def test_a_demo_client_admin_logs_in_with_their_code_and_lands_in_the_console(page: Page):
    call_command("seed_demo", verbosity=0)
    email = "admin@acme.example"

    page.goto("/accounts/login/")
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Log in").click()

    expect(page).to_have_url(re.compile(r"/accounts/mfa/verify/$"))
    # Password given, second factor not yet: the brand and a way out, no navigation.
    expect(page.get_by_role("navigation", name="Main")).to_have_count(0)
    expect(page.get_by_role("banner").get_by_role("button", name="Log out")).to_be_visible()

    code = TOTP(bytes.fromhex(demo_totp_key(email))).token()
    page.get_by_label("Code").fill(f"{code:06d}")
    page.get_by_role("button", name="Continue").click()

    expect(page).to_have_url(re.compile(r"/console/$"))
    expect(page.get_by_role("heading", name=re.compile("^Users of "), level=1)).to_be_visible()
    main_nav = page.get_by_role("navigation", name="Main")
    expect(main_nav.get_by_role("link", name="Console")).to_have_attribute("aria-current", "true")
    console_nav = page.get_by_role("navigation", name="Console")
    expect(console_nav.get_by_role("link", name="Users")).to_have_attribute("aria-current", "page")


def test_the_back_office_navigation_is_compact_on_a_phone_and_open_on_a_desktop(
    page: Page, live_server
):
    signed_in(page, live_server, DpoFactory(), verified=True)
    page.set_viewport_size(PHONE)
    page.goto("/backoffice/requests/")
    nav = page.get_by_role("navigation", name="Back office")

    height = nav.bounding_box()["height"]
    print(f"back-office navigation at 390 px: {height:.0f} px tall")
    assert height <= MAX_PHONE_NAV_HEIGHT
    expect(nav.get_by_text("Back office menu: Rights requests")).to_be_visible()
    expect(nav.get_by_role("link", name="Breaches")).to_be_hidden()

    nav.get_by_text("Back office menu").click()
    expect(nav.get_by_role("link", name="Breaches")).to_be_visible()
    expect(nav.get_by_role("link", name="Rights requests")).to_have_attribute(
        "aria-current", "page"
    )
    nav.get_by_role("link", name="Breaches").click()
    expect(page).to_have_url(re.compile(r"/backoffice/breaches/$"))

    page.set_viewport_size(DESKTOP)
    nav = page.get_by_role("navigation", name="Back office")
    # Wide enough: every group is shown, nothing to open first.
    expect(nav.get_by_role("link", name="Audit trail")).to_be_visible()
    expect(nav.get_by_role("link", name="Breaches")).to_have_attribute("aria-current", "page")
    expect(nav.get_by_text("Back office menu")).to_be_hidden()
    print(f"back-office navigation at 1280 px: {nav.bounding_box()['height']:.0f} px tall")


def test_support_opens_the_menu_on_a_phone_and_finds_no_dpo_only_section(page: Page, live_server):
    signed_in(page, live_server, SupportFactory(), verified=True)
    page.set_viewport_size(PHONE)
    page.goto("/backoffice/")
    nav = page.get_by_role("navigation", name="Back office")
    nav.get_by_text("Back office menu").click()

    expect(nav.get_by_role("link", name="Rights requests")).to_be_visible()
    height = nav.bounding_box()["height"]
    print(f"support's open back-office menu at 390 px: {height:.0f} px tall")
    for dpo_only in ("Breaches", "Audit trail", "Retention", "Record of processing"):
        expect(nav.get_by_role("link", name=dpo_only)).to_have_count(0)
