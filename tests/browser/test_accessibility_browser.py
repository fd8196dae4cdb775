"""Accessibility checked by axe-core (axe-playwright-python; its axe.min.js ships in the package,
no CDN) in Chromium, on the pages each demo role's main journey opens: no serious or critical
violation."""

import pytest
from django.core.management import call_command
from playwright.sync_api import Page

from accounts.models import User
from dsar.models import RightsRequest
from security.models import Investigation
from tests.browser.accessibility import blocking_violations
from tests.browser.test_csp_browser import signed_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _journeys() -> dict[str, tuple[str | None, list[str]]]:
    request = RightsRequest.objects.order_by("pk").first()
    investigation = Investigation.objects.order_by("pk").first()
    person = User.objects.get(email="olivia.bennett@acme.example")
    # A complaint still to acknowledge: its page shows both clocks and the record-by-hand form.
    complaint = RightsRequest.objects.filter(kind="complaint", acknowledged_at=None).first()
    return {
        "anonymous": (
            None,
            [
                "/",
                "/accounts/login/",
                "/rights/",
                "/support/",
                "/privacy/",
                "/privacy/versions/2/",
                "/cookies/",
            ],
        ),
        "member": (
            "olivia.bennett@acme.example",
            ["/account/", "/account/communications/", "/account/rights/", "/account/security/"],
        ),
        "client admin": (
            "admin@acme.example",
            [
                "/console/",
                f"/console/users/{person.pk}/",
                "/console/users/invite/",
                "/console/usage/",
                "/console/usage/tasks/",
                "/console/settings/",
                "/console/usage/subscriptions/",
                "/console/usage/exports/",
                "/console/api-keys/",
                "/console/provisioning/",
            ],
        ),
        "dpo": (
            "dpo@privacydesk.test",
            [
                "/backoffice/",
                "/backoffice/requests/",
                f"/backoffice/requests/{request.reference}/",
                f"/backoffice/investigations/{investigation.pk}/",
                "/backoffice/breaches/",
                "/backoffice/audit/",
                "/backoffice/retention/",
                "/backoffice/organisations/",
                "/backoffice/investigations/",
                "/backoffice/people/",
                "/backoffice/staff/",
                "/backoffice/usage/",
                "/backoffice/disclosures/",
                "/backoffice/processing/",
                "/backoffice/processing/usage/edit/",
                "/backoffice/cookies/",
                "/backoffice/cookies/notices/",
                "/backoffice/cookies/notices/privacy/versions/2/",
            ],
        ),
        "support": (
            "support@privacydesk.test",
            [
                "/backoffice/",
                "/backoffice/enquiries/",
                f"/backoffice/people/{person.pk}/",
                "/backoffice/complaints/",
                f"/backoffice/requests/{complaint.reference}/",
            ],
        ),
    }


WIDTHS = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1280, "height": 800}}


# The outermost elements that reach past the window's right edge, named as a selector would.
WIDEST_ELEMENTS = """
() => {
  const clipped = (el) => el.parentElement.closest(".table-scroll, pre, [style*=overflow]");
  const past = (el) => el.getBoundingClientRect().right > window.innerWidth + 1 && !clipped(el);
  const name = (el) => el.tagName.toLowerCase() + (el.id ? "#" + el.id : "")
    + [...el.classList].map((c) => "." + c).join("");
  return [...document.body.querySelectorAll("*")]
    .filter((el) => past(el) && !past(el.parentElement))
    .slice(0, 5)
    .map((el) => name(el.parentElement) + " > " + name(el));
}
"""


def sideways_scroll(page: Page) -> list[str]:
    """The page itself wider than the window: on a phone the reader has to pan to read it.
    Tables that scroll inside their own box do not count."""
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    if overflow <= 1:
        return []
    culprits = page.evaluate(WIDEST_ELEMENTS)
    return [f"{page.url}: {overflow} px wider than the window, by {', '.join(culprits)}"]


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("role", ["anonymous", "member", "client admin", "dpo", "support"])
def test_each_roles_main_pages_have_no_serious_accessibility_violation_and_fit_the_window(
    page: Page, live_server, role, width
):
    call_command("seed_demo", verbosity=0)
    page.set_viewport_size(WIDTHS[width])
    email, urls = _journeys()[role]
    if email is not None:
        signed_in(page, live_server, User.objects.get(email=email), verified=True)

    found = []
    for url in urls:
        response = page.goto(url)
        assert response.status < 400, (url, response.status)
        found += blocking_violations(page) + sideways_scroll(page)

    assert found == []


def test_the_check_catches_a_button_without_a_name(page: Page):
    page.set_content('<html lang="en"><title>t</title><main><button></button></main></html>')

    assert any("button-name (critical)" in found for found in blocking_violations(page))
