"""The client IP behind NUM_PROXIES proxies: one reading, used by every limit and record."""

import pytest
from django.test import Client, RequestFactory
from rest_framework.throttling import BaseThrottle

from common.client_ip import client_ip
from security.models import Investigation, UserSession
from tests.factories import TEST_PASSWORD, UserFactory
from usage.middleware import request_event

PROXY = "10.0.0.2"
CLIENT_A = "198.51.100.7"
CLIENT_B = "203.0.113.9"


def via_proxy(forwarded_for: str | None = None, remote_addr: str = PROXY):
    meta = {"REMOTE_ADDR": remote_addr}
    if forwarded_for is not None:
        meta["HTTP_X_FORWARDED_FOR"] = forwarded_for
    return RequestFactory().get("/", **meta)


@pytest.mark.parametrize(
    "num_proxies, forwarded_for, expected",
    [
        (0, None, PROXY),
        (0, CLIENT_A, PROXY),  # no proxy is trusted: the header is anyone's to write
        (1, None, PROXY),
        (1, CLIENT_A, CLIENT_A),
        (1, f"{CLIENT_B}, {CLIENT_A}", CLIENT_A),  # the left entry is the client's own forgery
        (1, f"1.2.3.4,{CLIENT_B} , {CLIENT_A}", CLIENT_A),
        (2, f"{CLIENT_B}, {CLIENT_A}, 10.0.0.1", CLIENT_A),
        (2, CLIENT_A, CLIENT_A),
        (1, "2001:db8::7", "2001:db8::7"),
    ],
)
def test_the_client_ip_is_the_one_drf_throttles_count(
    settings, num_proxies, forwarded_for, expected
):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": num_proxies}
    request = via_proxy(forwarded_for)

    assert client_ip(request) == expected
    assert client_ip(request) == BaseThrottle().get_ident(request)


@pytest.mark.parametrize("forwarded_for", ["not-an-ip", "198.51.100.7:443", "", " , "])
def test_a_forwarded_entry_that_is_no_ip_address_falls_back_to_the_connecting_address(
    settings, forwarded_for
):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 1}
    assert client_ip(via_proxy(forwarded_for)) == PROXY


def test_no_address_at_all_is_none():
    request = RequestFactory().get("/")
    del request.META["REMOTE_ADDR"]
    assert client_ip(request) is None


@pytest.fixture
def behind_one_proxy(settings):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 1}


def browser_of(client_address: str, forged: str = "") -> Client:
    """A browser reaching the app through the proxy, which appends the address it saw."""
    forwarded_for = f"{forged}, {client_address}" if forged else client_address
    return Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=forwarded_for)


@pytest.mark.django_db
def test_behind_a_proxy_the_session_list_records_the_client_not_the_proxy(behind_one_proxy):
    user = UserFactory()
    browser = browser_of(CLIENT_A, forged=CLIENT_B)

    response = browser.post("/accounts/login/", {"username": user.email, "password": TEST_PASSWORD})

    assert response.status_code == 302
    assert UserSession.objects.get(user=user).ip_address == CLIENT_A


def test_behind_a_proxy_usage_capture_records_the_client(behind_one_proxy):
    assert request_event(via_proxy(f"{CLIENT_B}, {CLIENT_A}"))["ip_address"] == CLIENT_A


@pytest.mark.django_db
def test_behind_a_proxy_the_enquiry_limit_counts_each_client_on_its_own(behind_one_proxy, settings):
    settings.ENQUIRY_LIMIT_PER_IP = 2
    data = {"name": "Pat", "email": "pat@example.test", "subject": "Hi", "message": "Hello"}
    client_a, client_b = browser_of(CLIENT_A), browser_of(CLIENT_B)

    for _ in range(2):
        assert client_a.post("/support/", data).status_code == 302
    refused = browser_of(CLIENT_A, forged="192.0.2.1").post("/support/", data)
    accepted = client_b.post("/support/", data)

    assert refused.status_code == 429  # the forged entry did not open a new bucket
    assert accepted.status_code == 302


@pytest.mark.django_db
def test_behind_a_proxy_the_rights_request_form_limit_counts_each_client_on_its_own(
    behind_one_proxy, settings, django_capture_on_commit_callbacks
):
    settings.RIGHTS_REQUEST_LIMIT_PER_IP = 1
    form = {
        "kind": "access",
        "requester_name": "Ann Able",
        "description": "Please send me a copy of my data.",
        "organisation_name": "Acme Ltd",
        "website": "",
    }

    def file(browser, email):
        with django_capture_on_commit_callbacks(execute=True):
            return browser.post("/rights/", {**form, "requester_email": email})

    assert file(browser_of(CLIENT_A), "one@example.test").status_code == 302
    assert file(browser_of(CLIENT_A, forged=CLIENT_B), "two@example.test").status_code == 429
    assert file(browser_of(CLIENT_B), "three@example.test").status_code == 302


@pytest.mark.django_db
def test_behind_a_proxy_a_lockout_investigation_names_the_client(behind_one_proxy, settings):
    user = UserFactory()
    for n in range(settings.AXES_FAILURE_LIMIT):
        browser_of(CLIENT_A, forged=f"192.0.2.{n}").post(
            "/accounts/login/", {"username": user.email, "password": "wrong password"}
        )

    investigation = Investigation.objects.get(rule="lockout")
    assert investigation.ip_address == CLIENT_A
    assert {item["ip"] for item in investigation.evidence} == {CLIENT_A}
