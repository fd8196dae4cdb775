"""A client admin reads the usage report in a real browser: the chart that follows the
grouping, the table sorted by its column headers, and a CSV export built in the background and
downloaded from its status page."""

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
    ann = UserFactory(organisation=admin.organisation, full_name="Ann Able", email="ann@a.test")
    zed = UserFactory(organisation=admin.organisation, full_name="Zed Zane", email="zed@a.test")
    for person, count, feature in ((ann, 3, "user_settings"), (zed, 1205, "reports")):
        UsageEvent.objects.bulk_create(
            UsageEvent(
                occurred_at=timezone.now(),
                organisation=admin.organisation,
                user=person,
                action="page_view",
                feature=feature,
                duration_ms=120_000 if person == ann else 3_000,
            )
            for _ in range(count)
        )
    usage_rollup_day(day=timezone.localdate())

    log_in(page, admin.email)
    page.get_by_label("Code").fill(current_code(device.bin_key))
    page.get_by_role("button", name="Continue").click()
    page.get_by_role("link", name="Console").click()
    page.get_by_role("link", name="Usage report").click()

    expect(page.get_by_role("heading", name="Usage report", level=1)).to_be_visible()
    chart = page.get_by_role("img", name=re.compile("Most active people"))
    expect(chart).to_be_visible()
    assert chart.locator("rect.bar").count() == 2
    expect(chart.locator("text.axis-label")).to_have_text("Events")
    rows = page.locator(".usage-table tbody tr")
    # Most active first; name and e-mail in their own cells; numbers and times formatted.
    expect(rows.nth(0).locator("th, td")).to_have_text(
        ["Zed Zane", "zed@a.test", "1,205", "1 h 00 min", "1"]
    )
    expect(rows.nth(1).locator("th, td")).to_have_text(
        ["Ann Able", "ann@a.test", "3", "6 min", "1"]
    )
    events = page.get_by_role("columnheader", name="Events")
    expect(events).to_have_attribute("aria-sort", "descending")

    page.get_by_role("link", name="Name").click()
    expect(page.get_by_role("columnheader", name="Name")).to_have_attribute(
        "aria-sort", "ascending"
    )
    expect(rows.nth(0).locator("th")).to_have_text("Ann Able")
    expect(page.get_by_role("columnheader", name="Events")).not_to_have_attribute(
        "aria-sort", re.compile(".")
    )

    page.get_by_label("Group by").select_option("day")
    page.get_by_role("button", name="Show report").click()
    day_chart = page.get_by_role("img", name=re.compile("Events per day"))
    expect(day_chart).to_be_visible()
    assert day_chart.locator("rect.bar").count() == 30
    assert day_chart.locator("text.category").count() >= 4  # the Mondays, not first and last
    page.get_by_label("Group by").select_option("feature")
    page.get_by_role("button", name="Show report").click()
    expect(page.get_by_role("img", name=re.compile("Most used features"))).to_be_visible()
    expect(page.locator(".usage-table tbody th")).to_have_text(["Reports", "User settings"])

    page.get_by_label("Group by").select_option("user")
    page.get_by_role("button", name="Show report").click()

    page.get_by_role("button", name="Export CSV").click()
    expect(page.get_by_role("heading", name="CSV export", level=1)).to_be_visible()
    expect(page.get_by_text("Ready: 2 rows")).to_be_visible()
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download CSV").click()
    download = download_info.value
    assert download.suggested_filename.endswith("-by-user.csv")
    content = Path(download.path()).read_text(encoding="utf-8")
    assert content.splitlines()[0] == "group,key,events,minutes,active_days,users"
    assert "Ann Able" in content
