"""A client admin reads the usage report in a real browser: the chart, the table, and a CSV
export built in the background and downloaded from its status page."""

import re
from pathlib import Path

import pytest
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from tests.browser.test_mfa_login_browser import current_code, log_in
from tests.factories import ClientAdminFactory, UserFactory
from usage.models import UsageEvent
from usage.services import usage_rollup_day

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_client_admin_opens_the_report_sees_the_chart_and_downloads_the_csv(
    page, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path / "media"
    admin = ClientAdminFactory()
    device = TOTPDevice.objects.create(user=admin, name="Authenticator app", confirmed=True)
    ann = UserFactory(organisation=admin.organisation, full_name="Ann Able")
    for _ in range(3):
        UsageEvent.objects.create(
            occurred_at=timezone.now(),
            organisation=admin.organisation,
            user=ann,
            action="page_view",
            feature="reports",
            duration_ms=120_000,
        )
    usage_rollup_day(day=timezone.localdate())

    log_in(page, admin.email)
    page.get_by_label("Code").fill(current_code(device.bin_key))
    page.get_by_role("button", name="Continue").click()
    page.get_by_role("link", name="Console").click()
    page.get_by_role("link", name="Usage report").click()

    expect(page.get_by_role("heading", name="Usage report", level=1)).to_be_visible()
    chart = page.get_by_role("img", name=re.compile("Events per day"))
    expect(chart).to_be_visible()
    assert chart.locator("rect.bar").count() == 30
    row = page.get_by_role("row", name=re.compile("Ann Able"))
    expect(row).to_contain_text("3")

    page.get_by_role("button", name="Export CSV").click()
    expect(page.get_by_role("heading", name="CSV export", level=1)).to_be_visible()
    expect(page.get_by_text("Ready: 1 row")).to_be_visible()
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download CSV").click()
    download = download_info.value
    assert download.suggested_filename.endswith("-by-user.csv")
    content = Path(download.path()).read_text(encoding="utf-8")
    assert content.splitlines()[0] == "group,key,events,minutes,active_days,users"
    assert "Ann Able" in content
