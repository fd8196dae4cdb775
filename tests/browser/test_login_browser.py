"""Logging in, and the base layout, as a person in a real browser sees them."""

import re

import pytest
from playwright.sync_api import Page, expect

from tests.factories import TEST_PASSWORD, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LOGIN_REFUSED = "That e-mail address and password do not match an active account."


def log_in(page: Page, email: str, password: str) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()


def focused(page: Page) -> dict:
    return page.evaluate(
        """() => {
            const el = document.activeElement;
            return {
                text: (el.textContent || "").trim(),
                tag: el.tagName.toLowerCase(),
                inFooter: el.closest("footer") !== null,
            };
        }"""
    )


def tab_to_footer_link(page: Page, name: str, limit: int = 40) -> int:
    """Press Tab until the footer link called ``name`` has focus; return how many presses."""
    for presses in range(1, limit + 1):
        page.keyboard.press("Tab")
        now = focused(page)
        if now["tag"] == "a" and now["text"] == name and now["inFooter"]:
            return presses
    pytest.fail(f"The footer link {name!r} was not reached in {limit} presses of Tab.")


def test_a_member_logs_in_and_sees_what_we_hold_about_them(page):
    member = UserFactory(full_name="Priya Shah")

    log_in(page, member.email, TEST_PASSWORD)

    expect(page).to_have_url(re.compile(r"/account/$"))
    expect(page.get_by_role("heading", name="My account", level=1)).to_be_visible()
    expect(page.get_by_role("banner")).to_contain_text("Priya Shah")
    expect(page.get_by_role("main")).to_contain_text("Priya Shah")
    expect(page.get_by_role("main")).to_contain_text(member.organisation.name)
    expect(page.get_by_role("heading", name="What we hold about you", level=2)).to_be_visible()
    # The data-map section lists the member's own contact details, folded until opened...
    page.get_by_text("Contact details", exact=False).first.click()
    expect(page.get_by_role("cell", name=member.email).first).to_be_visible()
    # ...and says a password is held without ever showing it.
    expect(page.get_by_role("main")).not_to_contain_text(TEST_PASSWORD)
    expect(page.get_by_role("button", name="Log out")).to_be_visible()


def test_a_wrong_password_is_refused_without_saying_whether_the_account_exists(page):
    member = UserFactory()

    log_in(page, member.email, "not the right password")

    expect(page).to_have_url(re.compile(r"/accounts/login/$"))
    wrong_password = page.get_by_role("alert", name="There is a problem")
    expect(wrong_password.get_by_role("listitem")).to_have_text(LOGIN_REFUSED)
    expect(page.get_by_role("banner").get_by_role("link", name="Log in")).to_be_visible()

    log_in(page, "nobody-by-this-name@example.test", "not the right password")

    # An unknown e-mail address gets exactly the same answer as a known one.
    expect(page).to_have_url(re.compile(r"/accounts/login/$"))
    refused = page.get_by_role("alert", name="There is a problem")
    expect(refused.get_by_role("listitem")).to_have_text(LOGIN_REFUSED)


@pytest.mark.parametrize("path", ["/", "/privacy/"])
def test_skip_link_is_the_first_tab_stop_and_footer_links_are_keyboard_reachable(page, path):
    page.goto(path)
    footer = page.get_by_role("contentinfo")
    expect(footer.get_by_role("link", name="Privacy notice")).to_be_visible()
    expect(footer.get_by_role("link", name="Cookie settings")).to_be_visible()

    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to content")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()
    page.keyboard.press("Enter")
    expect(page.get_by_role("main")).to_be_focused()

    tab_to_footer_link(page, "Privacy notice")
    page.keyboard.press("Tab")
    expect(footer.get_by_role("link", name="Cookie settings")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/cookies/$"))
    expect(page.get_by_role("heading", name="Cookies", level=1)).to_be_visible()
