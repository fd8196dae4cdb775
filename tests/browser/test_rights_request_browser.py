"""End to end in Chromium: a member of the public asks for their data, proves the e-mail is
theirs, the DPO answers, and the requester downloads and opens the package."""

import io
import re
import zipfile
from pathlib import Path

import pytest
from django.core import mail
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from tests.archives import entry_rows
from tests.browser.test_mfa_login_browser import current_code, log_in
from tests.factories import DpoFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def link_in_last_mail(pattern: str) -> str:
    return re.search(pattern, mail.outbox[-1].body).group(0)


def test_a_requester_gets_their_data_through_the_whole_process(page, browser, live_server):
    # The public form, with no account.
    page.goto("/rights/")
    page.get_by_label("What would you like us to do?").select_option("access")
    page.get_by_label("Your full name").fill("Robin Requester")
    page.get_by_label("Your e-mail address").fill("robin@example.test")
    page.get_by_label("Your request").fill("Please send me everything you hold about me.")
    page.get_by_role("button", name="Send my request").click()
    expect(page.get_by_role("heading", name="Check your e-mail")).to_be_visible()

    # The verification link from the e-mail starts the clock.
    verify = link_in_last_mail(r"http\S+/rights/verify/\S+/")
    page.goto(verify.replace("http://127.0.0.1:8000", live_server.url))
    expect(page.get_by_text("Answer due by")).to_be_visible()
    status_url = page.url
    reference = re.search(r"RR-\d{4}-\d{6}", page.content()).group(0)

    # The DPO builds the package and completes the request, in another browser context.
    dpo = DpoFactory()
    device = TOTPDevice.objects.create(user=dpo, name="Authenticator app", confirmed=True)
    context = browser.new_context(base_url=live_server.url)
    dpo_page = context.new_page()
    log_in(dpo_page, dpo.email)
    dpo_page.get_by_label("Code").fill(current_code(device.bin_key))
    dpo_page.get_by_role("button", name="Continue").click()
    dpo_page.get_by_role("link", name="Back office").click()
    # The back office opens on its dashboard (issue 8); the queue is one link away.
    dpo_page.get_by_role("navigation", name="Back office").get_by_role(
        "link", name="Rights requests"
    ).click()
    dpo_page.get_by_role("link", name=reference).click()
    # The page leads with the one next step: the package, then the answer.
    dpo_page.get_by_role("button", name="Build access package").click()
    expect(dpo_page.get_by_text("Package ready")).to_be_visible()
    expect(dpo_page.get_by_role("button", name="Start work on the request")).to_be_hidden()
    dpo_page.get_by_label("Outcome").fill("Your data is ready to download from your page.")
    dpo_page.get_by_role("button", name="Complete and send the answer").click()
    expect(dpo_page.get_by_text("Completed; the answer has been sent.")).to_be_visible()
    context.close()

    # The requester proves who they are again with an e-mailed code, and downloads.
    page.goto(status_url)
    page.get_by_role("button", name="E-mail me a download code").click()
    code = re.search(r"is:\s+(\d{6})", mail.outbox[-1].body).group(1)
    page.get_by_label("Code").fill(code)
    with page.expect_download() as download_info:
        page.get_by_role("button", name="Download").click()
    archive = zipfile.ZipFile(io.BytesIO(Path(download_info.value.path()).read_bytes()))

    names = archive.namelist()
    assert {"data.json", "index.html"} <= set(names)
    requests = entry_rows(archive, "dsar.requests")
    assert [row["requester_name"] for row in requests] == ["Robin Requester"]
    index = archive.read("index.html").decode()
    assert "Information Commissioner" in index
    assert "Microsoft 365" in index  # the processor register: who received what, and where
