"""Issue 15's finished components, measured in Chromium: tick boxes on the line of their
labels, number inputs a sensible width, date-time inputs as tall as text inputs, and the
back office's long lists scrolling inside their box rather than the whole page at 390 px."""

import pytest
from playwright.sync_api import Page

import audit
from dsar.models import Channel, RequestKind
from dsar.services.filing import rights_request_file
from tests.browser.test_csp_browser import signed_in
from tests.factories import ClientAdminFactory, DpoFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


# The first line of a tick box's label text, whether the label wraps the box or names it.
FIRST_WORDS = """box => {
  const label = box.closest("label") || document.querySelector(`label[for="${box.id}"]`);
  const walker = document.createTreeWalker(label, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    if (!walker.currentNode.textContent.trim()) continue;
    const range = document.createRange();
    range.selectNodeContents(walker.currentNode);
    const r = range.getClientRects()[0];
    return {x: r.left, y: r.top, height: r.height};
  }
  return null;
}"""


def tick_boxes_beside_their_labels(page: Page) -> int:
    """Each tick box of the page's forms and its label: the label's words start to the right
    of the box, on the box's line. Returns how many were measured."""
    boxes = page.locator("main form input[type=checkbox]")
    count = boxes.count()
    for n in range(count):
        box = boxes.nth(n)
        square, words = box.bounding_box(), box.evaluate(FIRST_WORDS)
        where = (box.get_attribute("id"), square, words)
        assert words["x"] >= square["x"] + square["width"], where
        middle = words["y"] + words["height"] / 2
        assert square["y"] - 4 <= middle <= square["y"] + square["height"] + 4, where
    return count


def no_page_scroll(page: Page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_the_e_mail_preferences_tick_boxes_sit_beside_their_labels(page: Page, live_server):
    signed_in(page, live_server, UserFactory(), verified=True)

    page.goto("/account/communications/")

    assert tick_boxes_beside_their_labels(page) == 3


def test_the_organisation_settings_tick_box_sits_beside_its_label(page: Page, live_server):
    signed_in(page, live_server, ClientAdminFactory(), verified=True)

    page.goto("/console/settings/")

    # Two-step login for every user, and sign-in with a passkey alone.
    assert tick_boxes_beside_their_labels(page) == 2


def test_the_breach_form_has_narrow_number_inputs_and_date_times_as_tall_as_text(
    page: Page, live_server
):
    signed_in(page, live_server, DpoFactory(), verified=True)

    page.goto("/backoffice/breaches/new/")

    rem = page.evaluate("parseFloat(getComputedStyle(document.documentElement).fontSize)")
    numbers = page.locator("main input[type=number]")
    assert numbers.count() >= 2
    for n in range(numbers.count()):
        assert numbers.nth(n).bounding_box()["width"] < 20 * rem
    text_height = page.locator("main input[type=text]").first.bounding_box()["height"]
    when = page.locator("main input[type=datetime-local]").first.bounding_box()
    assert abs(when["height"] - text_height) <= 1
    # The categories are tick-box groups, each with its question as the legend.
    assert page.locator("fieldset legend", has_text="Categories of personal data").count() == 1
    assert tick_boxes_beside_their_labels(page) > 2


def test_the_audit_trail_and_the_request_queue_fit_a_phone(page: Page, live_server):
    dpo = DpoFactory()
    person = UserFactory(full_name="Constantinople Featherstonehaugh-Worthington")
    for _ in range(3):
        audit.record(
            dpo,
            "rights_request.erasure_run",
            target=person,
            details={"reference": "DSAR-2026-000123", "note": "x" * 120},
        )
    rights_request_file(
        kind=RequestKind.ACCESS,
        requester_name="Constantinople Featherstonehaugh-Worthington",
        requester_email="a.very.long.address.indeed@subsidiary.example.test",
        channel=Channel.EMAIL,
        description="Please send me a copy of everything you hold.",
        filed_by=dpo,
        verified=True,
    )
    signed_in(page, live_server, dpo, verified=True)
    page.set_viewport_size(PHONE)

    for url in ("/backoffice/audit/", "/backoffice/requests/"):
        page.goto(url)
        assert page.locator("main table").count() == 1, url
        assert no_page_scroll(page), url
