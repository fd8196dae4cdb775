"""axe-core in Chromium (axe-playwright-python ships axe.min.js: no CDN): what blocks a page."""

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page

BLOCKING = {"serious", "critical"}


def blocking_violations(page: Page) -> list[str]:
    """The page's serious and critical accessibility violations, one line each."""
    results = Axe().run(page)
    return [
        f"{page.url}: {violation['id']} ({violation['impact']}): "
        + "; ".join(str(node["target"][0]) for node in violation["nodes"][:3])
        for violation in results.response["violations"]
        if violation["impact"] in BLOCKING
    ]
