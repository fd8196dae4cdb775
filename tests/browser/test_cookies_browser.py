"""Cookie consent in a real browser: what lands in the cookie jar, and the banner by keyboard."""

import re

import pytest
from playwright.sync_api import Page, expect

from cookies.models import ConsentRecord
from cookies.services import policy_draft_save, policy_publish
from tests.factories import DpoFactory

# The site's URLs plus a page that sets an analytics cookie without asking (tests/cookies/urls).
pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.urls("tests.cookies.urls"),
]

NECESSARY = {"sessionid", "csrftoken", "messages", "cookie_consent"}
SNEAKY = "/test/sets-analytics-cookie/"


@pytest.fixture(autouse=True)
def seeded(cookies_seeded):
    """Every test here starts from the seeded cookie catalogue."""


def jar(page: Page) -> set[str]:
    return {cookie["name"] for cookie in page.context.cookies()}


def banner(page: Page):
    return page.get_by_role("region", name="Cookies on PrivacyDesk")


def test_a_first_visit_has_only_strictly_necessary_cookies_and_shows_the_banner(page):
    page.goto("/")

    expect(banner(page)).to_be_visible()
    for name in ("Accept all", "Reject all"):
        expect(banner(page).get_by_role("button", name=name)).to_be_visible()
    expect(banner(page).get_by_role("link", name="Manage cookies")).to_be_visible()
    assert jar(page) <= NECESSARY

    page.goto(SNEAKY)
    assert jar(page) <= NECESSARY


def test_reject_all_keeps_a_sneaky_analytics_cookie_out_of_the_jar(page):
    page.goto("/")
    banner(page).get_by_role("button", name="Reject all").click()
    expect(banner(page)).to_have_count(0)

    page.goto(SNEAKY)
    expect(page.get_by_text("Sneaky page")).to_be_visible()

    assert "pd_analytics" not in jar(page)
    assert jar(page) <= NECESSARY


def test_accept_all_lets_the_analytics_cookie_in_and_withdrawal_removes_it(page):
    page.goto("/")
    banner(page).get_by_role("button", name="Accept all").click()
    expect(banner(page)).to_have_count(0)

    page.goto(SNEAKY)
    assert "pd_analytics" in jar(page)

    page.goto("/cookies/")
    page.get_by_role("checkbox", name="Performance and analytics").uncheck()
    page.get_by_role("button", name="Save my choices").click()
    expect(page.get_by_role("status")).to_contain_text("Cookie choices saved")

    assert "pd_analytics" not in jar(page)
    page.goto(SNEAKY)
    assert "pd_analytics" not in jar(page)
    decisions = list(ConsentRecord.objects.order_by("id").values_list("method", "accepted"))
    assert decisions == [("banner", ",functionality,performance,"), ("settings", ",functionality,")]


def test_the_analytics_script_records_a_visit_only_after_consent(page):
    from cookies.models import PageVisitCount

    page.goto("/privacy/")
    assert not PageVisitCount.objects.exists()

    # The beacon's answer, not "networkidle": Playwright's Chromium never reports the network
    # idle after a fetch whose answer says Cache-Control: no-store, as every non-public one does.
    with page.expect_response("**/cookies/analytics/visit/") as visit:
        banner(page).get_by_role("button", name="Accept all").click()
    expect(page).to_have_url(re.compile(r"/privacy/$"))
    assert visit.value.status == 200

    assert PageVisitCount.objects.filter(route="/privacy/").exists()
    assert "pd_analytics" in jar(page)


def test_a_new_cookie_policy_brings_the_banner_back_and_the_log_keeps_each_version(page):
    page.goto("/")
    banner(page).get_by_role("button", name="Accept all").click()
    expect(banner(page)).to_have_count(0)

    dpo = DpoFactory()
    policy_publish(
        draft=policy_draft_save(kind="cookies", body="Version two.", change_note="", by=dpo),
        by=dpo,
    )
    page.goto("/")
    expect(banner(page)).to_be_visible()
    expect(banner(page)).to_contain_text("Our cookie policy has changed")
    banner(page).get_by_role("button", name="Reject all").click()
    expect(banner(page)).to_have_count(0)

    log = list(ConsentRecord.objects.order_by("id").values_list("policy_version", "declined"))
    assert log == [(1, ""), (2, ",functionality,performance,")]


def test_the_keyboard_alone_reaches_and_operates_the_banner_without_a_trap(page):
    page.goto("/")

    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Skip to content")).to_be_focused()
    accept = banner(page).get_by_role("button", name="Accept all")
    reject = banner(page).get_by_role("button", name="Reject all")
    manage = banner(page).get_by_role("link", name="Manage cookies")
    for control in (accept, reject, manage):
        for _ in range(5):
            page.keyboard.press("Tab")
            if control.evaluate("el => el === document.activeElement"):
                break
        expect(control).to_be_focused()
    # No trap: the next stop is outside the banner.
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.closest('.cookie-banner') === null")

    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Shift+Tab")
    expect(reject).to_be_focused()
    page.keyboard.press("Enter")

    expect(banner(page)).to_have_count(0)
    assert ConsentRecord.objects.get().declined == ",functionality,performance,"
