"""The processor register's pages in Chromium, checked by axe-core: the list, a provider abroad,
its edit form, and that form refusing a place outside the UK without a safeguard."""

import pytest
from django.core.management import call_command
from playwright.sync_api import Page

from accounts.models import User
from records.models import Processor
from tests.browser.accessibility import blocking_violations
from tests.browser.test_csp_browser import signed_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_register_pages_have_no_serious_accessibility_violation(page: Page, live_server):
    call_command("seed_demo", verbosity=0)
    signed_in(page, live_server, User.objects.get(email="dpo@privacydesk.test"), verified=True)
    microsoft = Processor.objects.get(name="Microsoft 365")

    found = []
    for url in [
        "/backoffice/processors/",
        f"/backoffice/processors/{microsoft.pk}/",
        f"/backoffice/processors/{microsoft.pk}/edit/",
    ]:
        response = page.goto(url)
        assert response.status < 400, (url, response.status)
        found += blocking_violations(page)

    # Ireland's safeguard removed: the form says so at the top, and nothing is saved.
    page.check("#id_transfers-0-DELETE")
    page.get_by_role("button", name="Save").click()
    assert (
        "Ireland is outside the UK: give its safeguard."
        in page.locator(".form-errors").first.inner_text()
    )
    found += blocking_violations(page)

    assert found == []
    microsoft.refresh_from_db()
    assert "IE" in microsoft.transfers
