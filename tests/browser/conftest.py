"""Playwright driving Debian's Chromium against pytest-django's live server.

Playwright downloads no browser here: it launches /usr/bin/chromium (Debian's package, which
.ci/run installs). Without it, CI fails and a developer's machine skips the browser tests.
"""

import importlib
import os
from pathlib import Path

import pytest
from django.apps import apps

from tests.conftest import unavailable

CHROMIUM = Path("/usr/bin/chromium")
# Headless, as root, on a machine with no route out: without the background-networking flags
# Chromium keeps trying to reach Google's services and logs the refused connections.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
TIMEOUT_MS = 15_000


# Package scope, not session: one Chromium for all of tests/browser, and its event loop (and
# the async-safety override below) end with them. A loop left running in the main thread for
# the rest of the session would break every later async_to_sync call, Django's included.
@pytest.fixture(scope="package")
def browser():
    if not CHROMIUM.exists():
        unavailable("Chromium")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an event loop running in this thread, and Django refuses
    # ORM calls from a thread with a running loop; the tests' own factory calls are sync.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
            )
            yield browser
            browser.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def page(browser, live_server):
    """A fresh page in a fresh context (no cookies carried over), based at the live server."""
    context = browser.new_context(
        base_url=live_server.url, locale="en-GB", timezone_id="Europe/London"
    )
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    try:
        yield page
    finally:
        context.close()


# The cookie catalogue's data migrations, in order: a transactional test empties every table
# after it ran, these migrations' rows too.
COOKIE_SEEDS = (
    "0002_seed_cookie_groups",
    "0003_seed_notices",
    "0005_functionality_remembers_the_visitor",
    "0008_necessary_single_sign_on_handoff",
)


@pytest.fixture
def cookies_seeded(transactional_db):
    """The cookie groups, every cookie in them and the notices, as the migrations left them
    (each seed is idempotent)."""
    for name in COOKIE_SEEDS:
        importlib.import_module(f"cookies.migrations.{name}").seed(apps, None)
