"""Functionality cookies recognise a returning visitor, as the privacy notice says: the login
page is filled in with the address last used on this browser and greets them by name, only
with functionality consent, never from a failed login, and forgotten on withdrawal."""

import re

import pytest
from django.conf import settings
from django.test import Client

from cookies.catalogue import REMEMBER_COOKIE
from tests.conftest import otp_device_for
from tests.cookies.helpers import decide
from tests.factories import TEST_PASSWORD, DpoFactory, UserFactory

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"


@pytest.fixture
def member():
    return UserFactory(email="ada@example.test", full_name="Ada Lovelace")


def log_in(client, email, password=TEST_PASSWORD):
    """Log in, then leave as closing the browser would: the session cookie goes, the rest stay
    (the test client's logout() would empty the whole cookie jar)."""
    response = client.post(LOGIN, {"username": email, "password": password})
    client.cookies.pop(settings.SESSION_COOKIE_NAME, None)
    return response


def test_with_functionality_consent_the_login_page_remembers_the_address_and_the_name(
    client, member
):
    decide(client, "save", categories=["functionality"], method="settings")

    response = log_in(client, member.email)
    assert response.cookies[REMEMBER_COOKIE]["max-age"] == 90 * 24 * 3600
    assert response.cookies[REMEMBER_COOKIE]["httponly"]
    assert member.email not in response.cookies[REMEMBER_COOKIE].value  # signed and encoded

    html = client.get(LOGIN).content.decode()
    assert "Welcome back, Ada." in html
    assert 'value="ada@example.test"' in html
    # The address is there: the cursor waits in the password field.
    assert re.search(r'<input[^>]*name="password"[^>]*autofocus', html)
    assert not re.search(r'<input[^>]*name="username"[^>]*autofocus', html)
    assert "Welcome back, Ada." in client.get("/").content.decode()


def test_without_functionality_consent_nothing_is_remembered(client, member):
    decide(client, "save", categories=["performance"], method="settings")

    response = log_in(client, member.email)

    assert REMEMBER_COOKIE not in response.cookies
    html = client.get(LOGIN).content.decode()
    assert "Welcome back" not in html
    assert "ada@example.test" not in html


def test_a_failed_login_remembers_nothing_so_no_address_is_confirmed(client, member):
    decide(client, "accept_all")

    response = log_in(client, member.email, password="wrong password")

    assert response.status_code == 200
    assert REMEMBER_COOKIE not in response.cookies


def test_withdrawing_functionality_consent_deletes_the_cookie(client, member):
    decide(client, "accept_all")
    log_in(client, member.email)
    assert REMEMBER_COOKIE in client.cookies

    response = decide(client, "save", categories=["performance"], method="settings")

    assert response.cookies[REMEMBER_COOKIE]["max-age"] == 0
    assert "Welcome back" not in client.get(LOGIN).content.decode()


def test_with_the_signal_nothing_is_remembered_unless_the_visitor_opted_in(member):
    browser = Client(headers={"Sec-GPC": "1"})

    assert REMEMBER_COOKIE not in log_in(browser, member.email).cookies

    decide(browser, "save", categories=["functionality"], method="settings")
    assert REMEMBER_COOKIE in log_in(browser, member.email).cookies
    assert "Welcome back, Ada." in browser.get(LOGIN).content.decode()


def test_a_cookie_the_site_did_not_sign_is_ignored(client, member):
    decide(client, "accept_all")
    client.cookies[REMEMBER_COOKIE] = "eyJlbWFpbCI6ImV2ZUBleGFtcGxlLnRlc3QifQ:forged:signature"

    html = client.get(LOGIN).content.decode()

    assert "Welcome back" not in html
    assert "eve@example.test" not in html


def test_not_you_forgets_the_visitor_on_this_browser(client, member):
    decide(client, "accept_all")
    log_in(client, member.email)

    response = client.post("/cookies/forget-me/")

    assert response["Location"] == LOGIN
    assert response.cookies[REMEMBER_COOKIE]["max-age"] == 0
    html = client.get(LOGIN).content.decode()
    assert "This browser no longer remembers you" in html
    assert "ada@example.test" not in html


def test_a_login_that_goes_on_to_its_second_step_is_remembered_too(client):
    dpo = DpoFactory(full_name="Mary Seacole")
    otp_device_for(dpo)
    decide(client, "save", categories=["functionality"], method="settings")

    response = client.post(LOGIN, {"username": dpo.email, "password": TEST_PASSWORD})

    assert response["Location"].startswith("/accounts/mfa/verify/")
    assert REMEMBER_COOKIE in response.cookies
