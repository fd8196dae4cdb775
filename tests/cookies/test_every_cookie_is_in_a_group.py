"""A response that sets a cookie in no group fails this test.

The enforcement middleware would strip such a cookie silently in production (and log it), so
here it is switched off: every Set-Cookie the app's own pages send must be in the catalogue.
"""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from cookies.catalogue import catalogue_get
from tests.cookies.helpers import decide
from tests.factories import TEST_PASSWORD, ClientAdminFactory, DpoFactory, UserFactory

pytestmark = pytest.mark.django_db

ENFORCEMENT = "cookies.middleware.ConsentEnforcementMiddleware"


def plain_get_paths(resolver=None, prefix="") -> list[str]:
    """Every URL of the site with no parameter, as a visitor could type it."""
    resolver = resolver or get_resolver()
    paths = []
    for pattern in resolver.url_patterns:
        route = str(pattern.pattern)
        if "<" in route or route.startswith("^") or "(" in route:
            continue
        if isinstance(pattern, URLResolver):
            if route.startswith(("admin/", "api/")):
                continue
            paths += plain_get_paths(pattern, prefix + route)
        elif isinstance(pattern, URLPattern):
            paths.append("/" + prefix + route)
    return sorted(set(paths))


@pytest.fixture
def unenforced(settings):
    settings.MIDDLEWARE = [m for m in settings.MIDDLEWARE if m != ENFORCEMENT]


def cookie_names(responses) -> set[str]:
    return {name for response in responses for name in response.cookies}


def walk(client) -> list:
    return [client.get(path) for path in plain_get_paths()]


def test_the_walk_covers_the_public_pages():
    paths = plain_get_paths()
    assert {"/", "/privacy/", "/cookies/", "/accounts/login/", "/rights/"} <= set(paths)


def test_every_cookie_any_page_sets_is_in_a_cookie_group(client, verified_client, unenforced):
    known = {name for group in catalogue_get().groups for name in group.cookies}
    responses = walk(client)
    responses.append(
        client.post(
            "/accounts/login/", {"username": UserFactory().email, "password": TEST_PASSWORD}
        )
    )
    responses.append(decide(client, "accept_all"))
    # With functionality consent a login remembers the visitor (logged out first).
    client.cookies.pop("sessionid", None)
    responses.append(
        client.post(
            "/accounts/login/", {"username": UserFactory().email, "password": TEST_PASSWORD}
        )
    )
    responses.append(client.post("/cookies/theme/", {"theme": "dark"}))
    responses.append(
        client.post("/cookies/analytics/visit/", '{"path": "/"}', content_type="application/json")
    )
    responses += walk(client)
    for user in (ClientAdminFactory(), DpoFactory()):
        responses += walk(verified_client(user))

    set_cookies = cookie_names(responses)
    expected = {"csrftoken", "sessionid", "cookie_consent", "pd_analytics", "pd_theme"}
    assert expected | {"pd_remember"} <= set_cookies
    assert set_cookies - known == set(), "These cookies are in no cookie group"


def test_the_check_itself_catches_a_cookie_in_no_group(client, unenforced, settings):
    settings.ROOT_URLCONF = "tests.cookies.urls"
    known = {name for group in catalogue_get().groups for name in group.cookies}

    names = cookie_names([client.get("/test/sets-cookie-in-no-group/")])

    assert names - known == {"tracker_xyz"}
