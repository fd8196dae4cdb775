import re
from collections import Counter
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from django.contrib.staticfiles import finders
from django.core.management import call_command
from django.template import loader
from django.test import Client

from accounts.models import User
from tests.factories import TEST_PASSWORD, UserFactory
from tests.visible import internals_in, visible_text

pytestmark = pytest.mark.django_db


def test_the_home_page_offers_login_and_the_footer_links(client):
    html = client.get("/").content.decode()
    assert 'href="/accounts/login/"' in html
    assert 'href="/privacy/"' in html
    assert 'href="/cookies/"' in html


def test_every_page_names_the_sites_own_icon_which_the_app_serves(client):
    html = client.get("/").content.decode()
    icon = re.search(r'<link rel="icon" href="([^"]+)"', html).group(1)
    assert finders.find(icon.removeprefix("/static/")) is not None


def test_an_unknown_page_is_a_friendly_404(client):
    response = client.get("/no/such/page/")
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()


def test_the_account_page_needs_a_login(client):
    response = client.get("/account/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_login_is_by_email_in_any_case(client):
    user = UserFactory(email="mixed@example.test")
    response = client.post(
        "/accounts/login/", {"username": "Mixed@Example.TEST", "password": TEST_PASSWORD}
    )
    assert response.status_code == 302
    assert client.get("/account/").context["user"] == user


def test_a_wrong_password_and_an_unknown_email_get_the_same_answer(client):
    UserFactory(email="known@example.test")
    wrong = client.post("/accounts/login/", {"username": "known@example.test", "password": "x"})
    unknown = client.post("/accounts/login/", {"username": "nobody@example.test", "password": "x"})
    assert wrong.status_code == unknown.status_code == 200
    assert wrong.context["form"].errors == unknown.context["form"].errors


def test_the_account_page_shows_what_the_data_map_holds(client):
    user = UserFactory(full_name="Alice Example", job_title="Analyst")
    client.force_login(user)
    html = client.get("/account/").content.decode()
    assert "What we hold about you" in html
    assert "Alice Example" in html
    assert "Analyst" in html
    assert "A password hash is held" in html
    assert user.password not in html


class InlineCode(HTMLParser):
    """Collects what a strict Content-Security-Policy would block in a page, and its links."""

    def __init__(self):
        super().__init__()
        self.found: list[str] = []
        self.links: list[str] = []
        self._script_open = False

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "style":
            self.found.append("<style> element")
        if tag == "script":
            # A JSON data block (json_script) is never run, so the policy has nothing to block.
            self._script_open = attributes.get("type") != "application/json"
        for name, value in attributes.items():
            if name == "style":
                self.found.append(f"style attribute on <{tag}>: {value}")
            if name.startswith("on"):
                self.found.append(f"event handler {name} on <{tag}>")
            if name in ("href", "src", "action") and (value or "").lower().startswith(
                "javascript:"
            ):
                self.found.append(f"javascript: URL in <{tag} {name}>")
        if tag == "a" and (attributes.get("href") or "").startswith("/"):
            self.links.append(attributes["href"])

    def handle_endtag(self, tag):
        if tag == "script":
            self._script_open = False

    def handle_data(self, data):
        if self._script_open and data.strip():
            self.found.append(f"inline script: {data.strip()[:60]}")


def inline_code_in(html: str) -> InlineCode:
    parser = InlineCode()
    parser.feed(html)
    parser.close()
    return parser


# Links the crawl does not follow: files, the API, and Django's admin (not a main page).
NOT_CRAWLED = ("/static/", "/api/", "/admin/", "/accounts/logout/")


def crawl(client: Client, start: list[str], limit: int = 200) -> dict[str, list[str]]:
    """GET pages from ``start`` by following the site's own links; what each page inlines."""
    queue, seen, findings = list(start), set(), {}
    shapes: Counter = Counter()
    while queue and len(seen) < limit:
        url = queue.pop(0)
        path = urlsplit(url).path
        # A list's other pages and filters add nothing new; three of one shape of detail page
        # (a request, a person) show its variants.
        shape = re.sub(r"\d+", "N", path)
        if path in seen or path.startswith(NOT_CRAWLED) or shapes[shape] >= 3:
            continue
        seen.add(path)
        shapes[shape] += 1
        response = client.get(url)
        # Error pages (404, 403) count as pages too.
        if "text/html" not in response.get("Content-Type", ""):
            continue
        html = response.content.decode()
        page = inline_code_in(html)
        findings[path] = page.found + [
            f"internal: {found}" for found in internals_in(visible_text(html, prose_only=True))
        ]
        queue += page.links
    return findings


ROLE_STARTS = {
    "anonymous": (
        None,
        [
            "/",
            "/accounts/login/",
            "/accounts/password/reset/",
            "/accounts/password/reset/sent/",
            "/accounts/password/reset/done/",
            "/rights/submitted/",
            "/support/sent/",
            "/no/such/",
        ],
    ),
    "member": (
        "olivia.bennett@acme.example",
        ["/account/", "/account/communications/", "/accounts/mfa/enrol/"],
    ),
    "client admin": ("admin@acme.example", ["/account/", "/console/"]),
    "dpo": ("dpo@privacydesk.test", ["/backoffice/"]),
    "support": ("support@privacydesk.test", ["/backoffice/"]),
}


@pytest.mark.parametrize("role", ROLE_STARTS)
def test_the_pages_each_role_reaches_show_no_internals_and_inline_no_code(role, verified_client):
    """GIVEN the demo data (charts with bars, requests, breaches, people)
    WHEN each role follows every link of the site from its start pages
    THEN no page holds an inline script, a style attribute, a <style> element or an event
    handler attribute (the Content-Security-Policy would block them), and no page's text
    shows an ISO timestamp, a snake_case name, a dotted code or True/False
    (tests/visible.py; a <code> element may show a cookie's name or a placeholder)."""
    call_command("seed_demo", verbosity=0)
    email, start = ROLE_STARTS[role]
    client = Client()
    if role == "member":
        # Acme does not require two-step login, so a member without an app may enrol one.
        client.force_login(User.objects.get(email=email))
    elif email is not None:
        client = verified_client(User.objects.get(email=email))

    findings = crawl(client, start)

    least = {"anonymous": 10, "member": 10, "client admin": 20, "dpo": 80, "support": 40}
    assert len(findings) >= least[role]
    assert {page: found for page, found in findings.items() if found} == {}


def test_the_crawl_reaches_the_charts_and_the_mfa_qr_code(verified_client):
    call_command("seed_demo", verbosity=0)
    admin = verified_client(User.objects.get(email="admin@acme.example"))
    assert 'class="bar"' in admin.get("/console/usage/").content.decode()
    member = Client()
    member.force_login(User.objects.get(email="olivia.bennett@acme.example"))
    assert 'class="segno"' in member.get("/accounts/mfa/enrol/").content.decode()


def test_the_inline_check_itself_catches_each_kind_of_inline_code():
    html = (
        '<p style="color:red">x</p><style>p{}</style><script>alert(1)</script>'
        '<button onclick="go()">go</button><a href="javascript:go()">go</a>'
        '<script src="/static/js/analytics.js"></script>'
    )
    assert len(inline_code_in(html).found) == 5


def test_the_server_error_page_links_its_style_instead_of_inlining_it():
    html = loader.get_template("500.html").render()
    assert inline_code_in(html).found == []
    assert 'href="/static/css/error.css"' in html


def test_a_form_refused_by_the_csrf_check_gets_the_sites_own_page_with_nothing_inline():
    response = Client(enforce_csrf_checks=True).post("/rights/", {"email": "a@example.test"})
    assert response.status_code == 403
    html = response.content.decode()
    assert "Your form was not sent" in html
    assert inline_code_in(html).found == []
