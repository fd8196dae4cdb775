"""The SAML handoff: after the IdP's cross-site POST to our ACS, a one-time token carries the
login to the completion step in a short-lived cookie, never in an address (addresses land in
access logs and browser history), so only the browser the IdP answered can finish it."""

import pytest
from django.test import Client

from sso.models import SsoConnection
from sso.services.saml_logins import HANDOFF_COOKIE
from tests.factories import UserFactory
from tests.sso.conftest import logged_in_as, path_of, reasons, refused

pytestmark = pytest.mark.django_db

COMPLETE = "/accounts/sso/acme/saml/complete/"


@pytest.fixture
def ada(acme):
    return UserFactory(organisation=acme, email="ada@acme.test", full_name="Ada Lovelace")


def test_the_token_is_in_no_address_and_its_cookie_is_short_lived_and_used_up(
    client, saml_connection, saml_idp, ada
):
    start = client.get("/accounts/sso/acme/")
    action, fields = saml_idp.login_page(start["Location"])
    acs = client.post(path_of(action), fields)

    assert acs.status_code == 303
    assert acs["Location"] == COMPLETE
    cookie = acs.cookies[HANDOFF_COOKIE]
    token = cookie.value
    assert len(token) >= 40
    assert cookie["max-age"] == 120
    assert cookie["httponly"] and cookie["samesite"] == "Lax"
    assert cookie["path"] == COMPLETE

    done = client.get(COMPLETE)
    assert done.status_code == 302
    assert logged_in_as(client) == ada.pk
    assert token not in done["Location"] and token not in start["Location"]
    assert done.cookies[HANDOFF_COOKIE]["max-age"] == 0  # the browser drops it


def test_a_replayed_hop_is_refused(client, saml_connection, saml_idp, ada, caplog):
    start = client.get("/accounts/sso/acme/")
    action, fields = saml_idp.login_page(start["Location"])
    token = client.post(path_of(action), fields).cookies[HANDOFF_COOKIE].value
    assert client.get(COMPLETE).status_code == 302
    client.post("/accounts/logout/")

    # The same token again, from this browser or from one that captured it.
    for browser in (client, Client()):
        browser.cookies[HANDOFF_COOKIE] = token
        refused(browser.get(COMPLETE))
        assert logged_in_as(browser) is None
    assert reasons(caplog) == ["handoff", "handoff"]


def test_an_idp_initiated_login_is_finished_only_by_the_browser_the_idp_answered(
    client, saml_connection, saml_idp, ada, caplog
):
    SsoConnection.objects.filter(pk=saml_connection.pk).update(allow_idp_initiated=True)
    action, fields = saml_idp.initiate()
    acs = client.post(path_of(action), fields)
    assert acs.status_code == 303

    # Another browser that learnt where this one was going gets nothing from it.
    foreign = Client()
    refused(foreign.get(acs["Location"]))
    assert logged_in_as(foreign) is None
    assert reasons(caplog) == ["handoff"]

    assert client.get(acs["Location"])["Location"] == "/account/"
    assert logged_in_as(client) == ada.pk
