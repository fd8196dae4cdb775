"""Issue 12, part 6: the main pages of every role under the Content-Security-Policy, in Chromium.

Chromium logs each blocked script, style or image to the console ("Refused to … because it
violates the following Content Security Policy directive …"): a page fails when its console
reports one, or when a script on it throws. The demo data gives the pages their charts, QR code,
lists and detail pages; the cookie banner's "Accept all" switches the analytics script on.
"""

import pytest
from cookie_consent.models import CookieGroup
from django.core.management import call_command
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from playwright.sync_api import Page, expect

from accounts.models import Role, User
from dsar.models import RightsRequest
from tests.browser.accessibility import blocking_violations
from tests.conftest import otp_device_for
from tests.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


class ConsoleWatch:
    """What a page's console and uncaught errors report about the policy, and what axe-core
    finds blocking on it, page by page."""

    def __init__(self, page: Page):
        self.page = page
        self.problems: list[tuple[str, str]] = []
        # axe-core styles the elements it measures: what the policy blocks then is axe's own.
        self._auditing = False
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.problems.append((page.url, f"error: {error}")))

    def _console(self, message) -> None:
        if "Content Security Policy" in message.text and not self._auditing:
            self.problems.append((self.page.url, message.text))

    def visit(self, urls: list[str]) -> None:
        # "load", not "networkidle": after the analytics beacon (a fetch answered with no-store)
        # Playwright's Chromium never reports the network idle. Violations by the markup and
        # by scripts run before load are in the console by then.
        # Each page is checked by axe-core too: a serious or critical violation is a problem.
        for url in urls:
            response = self.page.goto(url, wait_until="load")
            assert response is not None and response.status < 500, (url, response)
            self._auditing = True
            try:
                self.problems += [(url, found) for found in blocking_violations(self.page)]
            finally:
                self._auditing = False


def signed_in(page: Page, live_server, user: User, *, verified: bool) -> None:
    """Give the browser a session of ``user`` (second step done when ``verified``)."""
    client = Client()
    client.force_login(user)
    if verified:
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = otp_device_for(user).persistent_id
        session.save()
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )


@pytest.fixture
def demo(db):
    call_command("seed_demo", verbosity=0)


def test_an_anonymous_visitor_accepts_cookies_and_reads_the_public_pages_with_no_violation(
    page: Page, demo
):
    watch = ConsoleWatch(page)
    page.goto("/")
    with page.expect_response("**/cookies/analytics/visit/") as beacon:
        page.get_by_role("button", name="Accept all").click()
    assert beacon.value.status == 200
    expect(page.get_by_role("region", name="Cookies on PrivacyDesk")).to_have_count(0)

    watch.visit(
        [
            "/",
            "/privacy/",
            "/cookies/",
            "/rights/",
            "/support/",
            "/accounts/login/",
            "/accounts/password/reset/",
            "/no/such/page/",
        ]
    )
    assert watch.problems == []


def test_swagger_ui_runs_under_the_policy(page: Page):
    watch = ConsoleWatch(page)
    page.goto("/api/docs/", wait_until="networkidle")
    expect(page.get_by_text("PrivacyDesk API").first).to_be_visible()
    expect(page.get_by_text("/api/v1/users/").first).to_be_visible()
    assert watch.problems == []


def test_a_member_reads_their_account_and_enrols_an_app_with_no_violation(
    page: Page, live_server, demo
):
    member = User.objects.get(email="olivia.bennett@acme.example")
    signed_in(page, live_server, member, verified=False)
    watch = ConsoleWatch(page)

    watch.visit(
        [
            "/account/",
            "/account/security/",
            "/account/rights/",
            "/account/communications/",
            "/accounts/password/change/",
        ]
    )
    page.goto("/accounts/mfa/enrol/", wait_until="networkidle")
    expect(page.locator("svg.segno")).to_be_visible()
    assert watch.problems == []


def test_a_client_admin_uses_the_console_and_its_usage_chart_with_no_violation(
    page: Page, live_server, demo
):
    admin = User.objects.get(email="admin@acme.example")
    signed_in(page, live_server, admin, verified=True)
    colleague = admin.organisation.users.filter(role=Role.MEMBER).first()
    watch = ConsoleWatch(page)

    page.goto("/console/usage/", wait_until="networkidle")
    expect(page.locator("svg.chart rect.bar").first).to_be_attached()
    watch.visit(
        [
            "/console/",
            f"/console/users/{colleague.pk}/",
            "/console/users/invite/",
            "/console/api-keys/",
            "/console/settings/",
        ]
    )
    assert watch.problems == []


def test_the_dpo_works_through_the_back_office_with_no_violation(page: Page, live_server, demo):
    dpo = User.objects.get(email="dpo@privacydesk.test")
    signed_in(page, live_server, dpo, verified=True)
    request = RightsRequest.objects.order_by("pk").first()
    person = User.objects.filter(role=Role.MEMBER).first()
    watch = ConsoleWatch(page)

    page.goto("/backoffice/cookies/", wait_until="networkidle")
    expect(page.locator("svg polyline").first).to_be_attached()
    watch.visit(
        [
            "/backoffice/",
            "/backoffice/requests/",
            f"/backoffice/requests/{request.reference}/",
            "/backoffice/investigations/",
            "/backoffice/people/",
            f"/backoffice/people/{person.pk}/",
            "/backoffice/enquiries/",
            "/backoffice/usage/",
            "/backoffice/breaches/",
            "/backoffice/breaches/new/",
            "/backoffice/disclosures/",
            "/backoffice/processing/",
            "/backoffice/retention/",
            "/backoffice/audit/",
            "/backoffice/cookies/notices/",
        ]
    )
    assert watch.problems == []


def test_a_superuser_uses_the_django_admin_with_no_violation(page: Page, live_server):
    superuser = UserFactory(role=Role.DPO, organisation=None, is_superuser=True)
    group = CookieGroup.objects.order_by("pk").first()
    signed_in(page, live_server, superuser, verified=True)
    watch = ConsoleWatch(page)

    watch.visit(
        [
            "/admin/",
            "/admin/breaches/breach/",
            "/admin/cookie_consent/cookiegroup/",
            f"/admin/cookie_consent/cookiegroup/{group.pk}/change/",
        ]
    )
    expect(page.get_by_role("button", name="Save", exact=True)).to_be_visible()
    assert watch.problems == []


def test_the_watch_itself_reports_an_inline_script_the_policy_blocks(page: Page):
    watch = ConsoleWatch(page)
    page.goto("/", wait_until="networkidle")
    page.evaluate(
        "() => { const s = document.createElement('script');"
        " s.textContent = 'window.ran = true'; document.head.appendChild(s); }"
    )
    page.wait_for_timeout(200)
    assert page.evaluate("() => window.ran === undefined")
    assert any("Content Security Policy" in text for _, text in watch.problems)
