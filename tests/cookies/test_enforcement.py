"""The middleware, last on the way out, removes cookies the visitor has not consented to."""

import logging

import pytest

from cookies.catalogue import ANALYTICS_COOKIE
from tests.cookies.helpers import decide, set_consent

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.cookies.urls")]


def test_without_any_choice_an_analytics_cookie_is_stripped(client, caplog):
    with caplog.at_level(logging.WARNING, logger="cookies.enforcement"):
        response = client.get("/test/sets-analytics-cookie/")

    assert response.status_code == 200
    assert ANALYTICS_COOKIE not in response.cookies
    assert "Removed Set-Cookie 'pd_analytics': no consent to the 'performance' group" in caplog.text


def test_after_reject_all_an_analytics_cookie_is_stripped(client):
    decide(client, "reject_all")

    response = client.get("/test/sets-analytics-cookie/")

    assert ANALYTICS_COOKIE not in response.cookies


def test_after_accept_all_the_analytics_cookie_arrives(client):
    decide(client, "accept_all")

    response = client.get("/test/sets-analytics-cookie/")

    assert response.cookies[ANALYTICS_COOKIE].value == "set-without-asking"


def test_functionality_consent_alone_does_not_let_an_analytics_cookie_through(client):
    set_consent(client, accepted={"functionality"})

    response = client.get("/test/sets-analytics-cookie/")

    assert ANALYTICS_COOKIE not in response.cookies


def test_a_cookie_in_no_group_is_stripped_even_with_full_consent_and_logged_without_personal_data(
    client, caplog
):
    decide(client, "accept_all")
    client.cookies["sessionid"] = "a-secret-session-key"

    with caplog.at_level(logging.WARNING, logger="cookies.enforcement"):
        response = client.get("/test/sets-cookie-in-no-group/?email=someone@example.test")

    assert "tracker_xyz" not in response.cookies
    assert "Removed Set-Cookie 'tracker_xyz': the cookie is in no cookie group" in caplog.text
    # The log names the cookie, never the path, the query, the cookie values or the client.
    assert "someone@example.test" not in caplog.text
    assert "a-secret-session-key" not in caplog.text
    assert "127.0.0.1" not in caplog.text


def test_strictly_necessary_cookies_are_never_stripped(client):
    response = client.get("/accounts/login/")

    assert "csrftoken" in response.cookies


def test_a_cookie_the_browser_still_holds_without_consent_is_deleted(client):
    client.cookies[ANALYTICS_COOKIE] = "left-over"

    response = client.get("/privacy/")

    assert response.cookies[ANALYTICS_COOKIE]["max-age"] == 0
