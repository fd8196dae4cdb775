"""Crafted input answers 4xx, never 500: a NUL or an over-long value in any path segment of
any URL pattern, a NUL in a query string, JSON nested thousands deep.

Run on PostgreSQL: it is PostgreSQL that refuses a NUL in text, where SQLite stores it.
"""

import re
from collections.abc import Iterator

import pytest
from django.test import Client
from django.urls import URLResolver, get_resolver
from django.urls.resolvers import RegexPattern

from accounts.models import ApiScope
from tests.cookies.helpers import decide
from tests.factories import ClientAdminFactory, DpoFactory, OrganisationFactory, api_key_for

pytestmark = [pytest.mark.postgres, pytest.mark.usefixtures("requires_postgres")]

NUL = "%00"  # the test client unquotes the path, as a WSGI server does
LONG = "9" * 10_000
# An integer path parameter that fits the converter but not a 64-bit column.
HUGE_INTEGER = "9" * 25
SAMPLE = {"int": "1", "uuid": "00000000-0000-0000-0000-000000000000"}
PARAMETER = re.compile(r"<(?:(?P<converter>\w+):)?(?P<name>\w+)>")
REGEX_GROUP = re.compile(r"\(\?P<(?P<name>\w+)>[^)]*\)")


def _route(pattern) -> str:
    """A pattern as a route, its regex groups written as ``<re:name>`` parameters."""
    if isinstance(pattern, RegexPattern):
        text = REGEX_GROUP.sub(r"<re:\g<name>>", str(pattern.regex.pattern))
        return text.removeprefix("^").removesuffix("$").replace("\\", "")
    return str(pattern)


def every_route(resolver=None, prefix="") -> Iterator[str]:
    for entry in (resolver or get_resolver()).url_patterns:
        route = prefix + _route(entry.pattern)
        if isinstance(entry, URLResolver):
            yield from every_route(entry, route)
        else:
            yield route


def _segments(route: str) -> list[tuple[str, str | None]]:
    """(sample value, converter or None for a literal) for each segment of ``route``."""
    segments = []
    for segment in route.split("/"):
        match = PARAMETER.fullmatch(segment)
        if match:
            segments.append((SAMPLE.get(match["converter"], "x"), match["converter"] or "str"))
        else:
            segments.append((segment, None))
    return segments


def crafted_urls() -> Iterator[tuple[str, bool]]:
    """Each route with one segment replaced by a crafted value; True where that segment is a
    parameter, which is where the value can reach a view."""
    seen = set()
    for route in every_route():
        segments = _segments(route)
        for index, (_, converter) in enumerate(segments):
            if index == len(segments) - 1 and not segments[index][0] and converter is None:
                continue  # the empty segment after a trailing slash
            values = [NUL, LONG] + ([HUGE_INTEGER] if converter == "int" else [])
            for value in values:
                parts = [sample for sample, _ in segments]
                parts[index] = value
                url = "/" + "/".join(parts)
                if url not in seen:
                    seen.add(url)
                    yield url, converter is not None


@pytest.fixture
def callers(verified_client):
    # A 500 is a response to count, not an exception to stop at.
    organisation = OrganisationFactory()
    return {
        "anonymous": Client(raise_request_exception=False),
        "DPO": verified_client(DpoFactory(), Client(raise_request_exception=False)),
        "client admin": verified_client(
            ClientAdminFactory(organisation=organisation), Client(raise_request_exception=False)
        ),
    }


def _is_json_error(response) -> bool:
    try:
        error = response.json()["error"]
    except (ValueError, KeyError, TypeError):
        return False
    return {"code", "message", "fields"} <= set(error)


def test_the_walk_covers_every_pattern_with_a_parameter_kind_of_each_converter():
    routes = list(every_route())
    assert len(routes) > 150
    assert "api/v1/rights-requests/<str:reference>/" in routes
    assert "console/api-keys/<str:prefix>/revoke/" in routes
    assert "api/v1/users/<re:pk>/" in routes


def test_a_nul_or_an_over_long_value_in_any_path_segment_never_answers_500(callers):
    failures = []
    combinations = [(who, method) for who in callers for method in ("get", "post")]
    for number, (url, is_parameter) in enumerate(crafted_urls()):
        # A literal segment replaced never matches: one caller and method is enough there.
        tried = combinations if is_parameter else [combinations[number % len(combinations)]]
        for who, method in tried:
            response = getattr(callers[who], method)(url)
            wrong = response.status_code >= 500 or (
                url.startswith("/api/")
                and response.status_code >= 400
                and not _is_json_error(response)
            )
            if wrong:
                failures.append((method.upper(), url[:120], who, response.status_code))
    assert failures == []


@pytest.mark.parametrize(
    ("url", "status"),
    [
        ("/console/api-keys/%00/revoke/", 404),
        ("/backoffice/requests/%00/", 404),
        ("/backoffice/disclosures/csv/?start=%00", 400),
        ("/backoffice/disclosures/?recipient_type=%01", 400),
    ],
)
def test_a_control_character_in_a_page_address_answers_the_error_page(callers, url, status):
    response = callers["DPO"].get(url)
    assert response.status_code == status
    assert b"<html" in response.content.lower()


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/rights-requests/%00/",
        "/api/v1/users/?search=%00",
        "/api/v1/rights-requests/%ED%A0%80/",
    ],
)
def test_a_control_character_in_an_api_address_answers_the_json_error(callers, url):
    response = callers["anonymous"].get(url)
    assert response.status_code in (400, 404)
    assert _is_json_error(response)


@pytest.mark.parametrize("value", ["Api-Key abc\x00def.ghi", "Api-Key \x00"])
def test_a_control_character_in_a_header_is_a_400_in_the_json_error(value):
    response = Client().get("/api/v1/users/", HTTP_AUTHORIZATION=value)
    assert response.status_code == 400
    assert _is_json_error(response)


def test_utf8_text_in_a_header_is_not_mistaken_for_control_characters(callers):
    # WSGI hands header bytes over as Latin-1: "€" arrives as "\xe2\x82\xac".
    user_agent = "Browser/1.0 (€)".encode().decode("latin-1")
    response = callers["DPO"].get("/backoffice/people/", HTTP_USER_AGENT=user_agent)
    assert response.status_code == 200


@pytest.mark.parametrize("name", ["sessionid", "csrftoken", "pd_theme"])
def test_a_cookie_holding_a_nul_is_ignored_as_if_never_sent(name):
    client = Client()
    client.cookies[name] = "abcdefgh\x00ijklmnopqrstuvwxyz012345"
    assert client.get("/privacy/").status_code == 200
    assert client.post("/api/v1/users/", {}, content_type="application/json").status_code == 403


def test_a_tab_or_newline_in_a_query_value_is_still_text(callers):
    response = callers["DPO"].get("/backoffice/people/", {"search": "Ann\tLee\r\n"})
    assert response.status_code == 200


def test_an_invalid_disclosure_filter_refuses_the_csv_and_shows_the_form_error(callers):
    response = callers["DPO"].get("/backoffice/disclosures/csv/", {"start": "not a date"})
    assert response.status_code == 400
    assert "Enter a valid date." in response.content.decode()
    assert response["Content-Type"].startswith("text/html")


def _deep(depth: int) -> str:
    return "[" * depth + "]" * depth


def _with_key(scope) -> Client:
    _, plain = api_key_for(scopes=[scope])
    return Client(HTTP_AUTHORIZATION=f"Api-Key {plain}")


JSON_ENDPOINTS = [
    ("post", "/api/v1/rights-requests/", None),
    ("post", "/api/v1/rights-requests/", ApiScope.DSAR),
    ("post", "/api/v1/usage/events/", ApiScope.USAGE_WRITE),
    ("post", "/api/v1/users/", ApiScope.USERS),
]


@pytest.mark.parametrize(("method", "url", "scope"), JSON_ENDPOINTS)
def test_json_nested_five_thousand_deep_is_a_400_parse_error(method, url, scope):
    client = _with_key(scope) if scope else Client()
    for body in (_deep(5_000), '{"a": ' * 5_000 + "1" + "}" * 5_000):
        response = getattr(client, method)(url, body, content_type="application/json")
        assert response.status_code == 400
        assert response.json()["error"]["code"] == "parse_error"


@pytest.mark.parametrize(("method", "url", "scope"), JSON_ENDPOINTS)
def test_json_nested_as_deep_as_the_parser_allows_is_a_400(method, url, scope):
    client = _with_key(scope) if scope else Client()
    response = getattr(client, method)(url, _deep(1_000), content_type="application/json")
    assert response.status_code == 400
    assert _is_json_error(response)


def test_json_nested_deep_in_another_charset_is_a_400_parse_error():
    body = _deep(5_000)  # the client encodes it in the charset named
    response = Client().post(
        "/api/v1/rights-requests/", body, content_type="application/json; charset=utf-16"
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "parse_error"


def test_a_lone_surrogate_in_a_json_string_is_a_400_parse_error():
    body = '{"kind": "access", "requester_name": "\\ud800", "requester_email": "a@example.test"}'
    response = Client().post("/api/v1/rights-requests/", body, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "parse_error"


def test_deep_json_to_the_analytics_endpoint_records_nothing_and_answers_400(client):
    decide(client, "accept_all")
    response = client.post(
        "/cookies/analytics/visit/", _deep(1_020), content_type="application/json"
    )
    assert response.status_code == 400
