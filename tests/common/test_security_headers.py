"""Issue 12, part 6: a strict Content-Security-Policy everywhere, and no-store on personal pages.

GIVEN every URL of the site, read from the URL resolver (ids filled with values that name
nothing, so a page answers 404, 302 or 403 as often as 200: every answer counts)
WHEN an anonymous visitor, a member, a client admin and the DPO request it
THEN each answer carries the site's policy, with no 'unsafe-inline' for scripts or styles; and
each answer says `Cache-Control: no-store` unless it is an anonymous visitor's copy of a
public page (common/cache_control.py states the rule). Static files keep their caching.
"""

import re

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from tests.factories import (
    ClientAdminFactory,
    DpoFactory,
    UserFactory,
    api_key_for,
)

pytestmark = pytest.mark.django_db

FILLERS = {"int": "987654", "slug": "no-such-thing", "path": "none", "str": "RR-2099-999999"}
PUBLIC_PAGES = ["/", "/privacy/", "/cookies/", "/privacy/versions/1/"]
# What the walk below may find cacheable, and only for an anonymous visitor.
PUBLIC_IN_WALK = {
    "/",
    "/privacy/",
    "/cookies/",
    "/privacy/versions/987654/",
    "/cookies/policy/versions/987654/",
}


def _walk(patterns, prefix=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _walk(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern), pattern.name


def _concrete(route: str) -> str:
    """A path for a route, its parameters filled; DRF's and the admin's regexes made plain."""

    def fill(match: re.Match) -> str:
        return FILLERS.get(match.group(1) or "str", FILLERS["str"])

    path = re.sub(r"\(\?P<\w+>[^)]*\)", FILLERS["int"], route)
    path = re.sub(r"<(?:(\w+):)?\w+>", fill, path)
    path = re.sub(r"\\\.\(\?P<format>[^)]*\)\$?", "", path)
    return "/" + path.replace("^", "").replace("$", "").replace("\\", "")


def every_url() -> list[str]:
    routes = {route for route, _ in _walk(get_resolver().url_patterns)}
    return sorted({_concrete(route) for route in routes if "format" not in route})


def directives(response) -> dict[str, list[str]]:
    header = response.get("Content-Security-Policy", "")
    parts = (part.split() for part in header.split(";") if part.strip())
    return {name: sources for name, *sources in parts}


def strict_policy_faults(response) -> list[str]:
    """What is wrong with a response's policy; an empty list when it is as strict as ours."""
    policy = directives(response)
    if not policy:
        return ["no Content-Security-Policy header"]
    expected = {
        "default-src": ["'none'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
    faults = [
        f"{name} is {policy.get(name)}"
        for name, sources in expected.items()
        if policy.get(name) != sources
    ]
    faults += [
        f"{name} allows {source}"
        for name, sources in policy.items()
        for source in sources
        if source in ("'unsafe-inline'", "'unsafe-eval'", "*", "http:", "https:")
    ]
    return faults


def is_no_store(response) -> bool:
    return "no-store" in response.get("Cache-Control", "")


URLS = every_url()


def test_the_walk_covers_every_part_of_the_site():
    sections = {url.split("/")[1] for url in URLS}
    assert {"", "account", "accounts", "console", "backoffice", "rights", "api", "admin"} <= (
        sections
    )
    assert {"/account/security/", "/api/v1/users/", "/api/docs/"} <= set(URLS)
    assert any(url.startswith("/rights/status/") for url in URLS)
    assert any(url.startswith("/accounts/password/reset/") for url in URLS)


@pytest.fixture
def visitors(verified_client):
    def verified(factory):
        return verified_client(factory(), client=Client())

    return {
        "anonymous": Client(),
        "member": verified(UserFactory),
        "client admin": verified(ClientAdminFactory),
        "dpo": verified(DpoFactory),
    }


def test_every_answer_of_the_site_carries_a_strict_policy_and_no_store_where_personal(visitors):
    csp_faults, cacheable = [], []
    for who, client in visitors.items():
        for url in URLS:
            response = client.get(url)
            csp_faults += [(who, url, fault) for fault in strict_policy_faults(response)]
            public = who == "anonymous" and url in PUBLIC_IN_WALK
            if not public and not is_no_store(response):
                cacheable.append((who, url, response.status_code))
    assert csp_faults == []
    assert cacheable == []


@pytest.mark.parametrize(
    "url",
    [
        "/account/",
        "/account/security/",
        "/account/rights/",
        "/console/",
        "/console/usage/",
        "/console/api-keys/",
        "/backoffice/",
        "/backoffice/requests/",
        "/backoffice/audit/",
        "/accounts/password/change/",
    ],
)
def test_a_signed_in_page_with_personal_data_is_never_stored(url, verified_client):
    client = verified_client(
        DpoFactory() if url.startswith("/backoffice/") else ClientAdminFactory()
    )
    response = client.get(url)
    assert response.status_code == 200
    assert is_no_store(response)
    assert "private" in response["Cache-Control"]


@pytest.mark.parametrize(
    "url",
    [
        "/rights/",
        "/rights/verify/some-token/",
        "/rights/status/some-token/",
        "/accounts/login/",
        "/accounts/password/reset/",
        "/accounts/password/reset/MQ/set-password/",
        "/accounts/password/reset/done/",
        "/support/",
        "/api/v1/rights-requests/",
        "/api/docs/",
    ],
)
def test_the_public_forms_and_links_that_carry_personal_data_are_never_stored(client, url):
    assert is_no_store(client.get(url))


def test_an_api_answer_to_a_key_is_never_stored(client):
    admin = ClientAdminFactory()
    _, plain = api_key_for(admin.organisation)
    response = client.get("/api/v1/users/", HTTP_AUTHORIZATION=f"Api-Key {plain}")
    assert response.status_code == 200
    assert admin.email in response.content.decode()
    assert is_no_store(response)
    assert strict_policy_faults(response) == []


def test_a_form_posted_back_with_what_someone_typed_is_never_stored(client):
    user = UserFactory(email="typed@example.test")
    response = client.post("/accounts/login/", {"username": user.email, "password": "wrong"})
    assert response.status_code == 200
    assert "typed@example.test" in response.content.decode()
    assert is_no_store(response)


@pytest.mark.parametrize("url", PUBLIC_PAGES)
def test_the_public_pages_stay_cacheable_for_anonymous_visitors(client, url):
    response = client.get(url)
    assert response.status_code == 200
    assert not is_no_store(response)
    assert strict_policy_faults(response) == []


def test_a_signed_in_visitors_copy_of_a_public_page_is_not_stored(client):
    client.force_login(UserFactory())
    response = client.get("/privacy/")
    assert response.status_code == 200
    assert is_no_store(response)


def test_a_static_file_keeps_its_caching_and_carries_the_policy(client):
    response = client.get("/static/css/app.css")
    assert response.status_code == 200
    assert not is_no_store(response)
    assert strict_policy_faults(response) == []


def test_the_api_docs_allow_data_images_for_swagger_ui_and_nothing_inline(client):
    page = client.get("/api/docs/")
    assert page.status_code == 200
    assert directives(page)["img-src"] == ["'self'", "data:"]
    assert strict_policy_faults(page) == []
    html = page.content.decode()
    assert "<style" not in html
    script_url = re.search(r'<script src="([^"]*script=[^"]*)"', html).group(1)
    script = client.get(script_url.replace("&amp;", "&"))
    assert script.status_code == 200
    assert script["Content-Type"].startswith("application/javascript")
    assert "SwaggerUIBundle" in script.content.decode()
