"""Global Privacy Control in a real browser: Chromium sends ``Sec-GPC: 1`` with every request
(Playwright's extra headers), and the cookie jar shows what the site did with it."""

import re

import pytest
from playwright.sync_api import Browser, expect

from cookies.models import ConsentRecord
from tests.browser.accessibility import blocking_violations
from tests.browser.conftest import TIMEOUT_MS
from tests.factories import TEST_PASSWORD, UserFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.urls("tests.cookies.urls"),
]

NECESSARY = {"sessionid", "csrftoken", "messages", "cookie_consent"}
SNEAKY = "/test/sets-analytics-cookie/"


@pytest.fixture(autouse=True)
def seeded(cookies_seeded):
    """Every test here starts from the seeded cookie catalogue (with the remember-me cookie)."""


@pytest.fixture
def gpc_page(browser: Browser, live_server):
    context = browser.new_context(
        base_url=live_server.url,
        locale="en-GB",
        timezone_id="Europe/London",
        extra_http_headers={"Sec-GPC": "1"},
    )
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    try:
        yield page
    finally:
        context.close()


def jar(page) -> set[str]:
    return {cookie["name"] for cookie in page.context.cookies()}


def banner(page):
    return page.get_by_role("region", name="Cookies on PrivacyDesk")


def test_the_signal_keeps_optional_cookies_out_and_the_banner_only_says_so(gpc_page):
    page = gpc_page
    page.goto("/")

    expect(banner(page)).to_contain_text("Global Privacy Control")
    expect(banner(page).get_by_role("button", name="Accept all")).to_have_count(0)
    assert blocking_violations(page) == []
    page.goto(SNEAKY)
    assert jar(page) <= NECESSARY

    page.goto("/")
    banner(page).get_by_role("button", name="OK").click()
    expect(banner(page)).to_have_count(0)
    record = ConsentRecord.objects.get()
    assert (record.gpc, record.accepted) == (True, "")
    assert jar(page) <= NECESSARY


def test_an_opt_in_on_the_settings_page_overrides_the_signal_and_withdrawal_forgets(gpc_page):
    page = gpc_page
    member = UserFactory(full_name="Grace Hopper")
    page.goto("/cookies/")
    expect(page.locator("#consent-status")).to_contain_text("Global Privacy Control")
    page.get_by_role("checkbox", name="Functionality").check()
    page.get_by_role("button", name="Save my choices").click()
    expect(page.get_by_role("status")).to_contain_text("overrides your browser")

    page.goto("/accounts/login/")
    page.get_by_label("E-mail address").fill(member.email)
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(re.compile(r"/account/$"))
    assert "pd_remember" in jar(page)
    page.get_by_role("button", name="Log out").click()

    page.goto("/accounts/login/")
    expect(page.get_by_text("Welcome back, Grace.")).to_be_visible()
    expect(page.get_by_label("E-mail address")).to_have_value(member.email)
    expect(page.get_by_label("Password")).to_be_focused()
    assert blocking_violations(page) == []

    page.goto("/cookies/")
    page.get_by_role("checkbox", name="Functionality").uncheck()
    page.get_by_role("button", name="Save my choices").click()
    expect(page.get_by_role("status")).to_contain_text("only strictly necessary")
    assert "pd_remember" not in jar(page)
    page.goto("/accounts/login/")
    expect(page.get_by_label("E-mail address")).to_have_value("")
    log = list(ConsentRecord.objects.order_by("id").values_list("method", "accepted", "gpc"))
    assert log == [("settings", ",functionality,", True), ("settings", "", True)]
