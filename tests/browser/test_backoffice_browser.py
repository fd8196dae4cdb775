"""The DPO's back office in a real browser (issue 8): log in with a code from the
authenticator, open the dashboard, record a breach, and see its 72-hour clock there."""

import re

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Page, expect

from breaches.models import Breach
from tests.browser.test_mfa_login_browser import current_code, log_in
from tests.factories import DpoFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_dpo_logs_in_with_totp_opens_the_dashboard_and_records_a_breach(page: Page):
    dpo = DpoFactory(full_name="Dana Officer")
    device = TOTPDevice.objects.create(user=dpo, name="Authenticator app", confirmed=True)

    log_in(page, dpo.email)
    expect(page).to_have_url(re.compile(r"/accounts/mfa/verify/"))
    page.get_by_label("Code").fill(current_code(device.bin_key))
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("banner")).to_contain_text("Dana Officer")

    page.get_by_role("banner").get_by_role("link", name="Back office").click()
    expect(page).to_have_url(re.compile(r"/backoffice/$"))
    expect(page.get_by_role("heading", name="Dashboard", level=1)).to_be_visible()
    breaches = page.get_by_role("region", name="Open breaches")
    expect(breaches).to_contain_text("0 open breaches")
    expect(page.get_by_role("region", name="Audit trail")).to_be_visible()

    breaches.get_by_role("link", name="0 open breaches").click()
    expect(page.get_by_role("heading", name="Breach register", level=1)).to_be_visible()
    page.get_by_role("link", name="Record a breach").click()
    expect(page.get_by_role("heading", name="Record a breach", level=1)).to_be_visible()
    page.get_by_label("Title").fill("Payroll export e-mailed to the wrong client")
    page.get_by_label("What happened").fill(
        "A usage report with names and e-mail addresses went to another client's admin."
    )
    page.get_by_role("button", name="Open the breach record").click()

    breach = Breach.objects.get()
    expect(
        page.get_by_role(
            "heading", name=f"{breach.reference}: Payroll export e-mailed to the wrong client"
        )
    ).to_be_visible()
    expect(page.get_by_role("region", name="72-hour clock")).to_contain_text(
        re.compile(r"7[12] h \d+ min left")
    )

    page.get_by_role("link", name="Dashboard").click()
    breaches = page.get_by_role("region", name="Open breaches")
    expect(breaches).to_contain_text("1 open breach")
    expect(breaches.get_by_role("link", name=re.compile(breach.reference))).to_be_visible()
    expect(breaches).to_contain_text(re.compile(r"7[12] h \d+ min left"))
