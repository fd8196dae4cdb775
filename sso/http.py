"""Fetching what an identity provider publishes: SAML metadata, the OpenID Connect discovery
document and signing keys. Only from https addresses on the public internet, checked as
written and again as resolved when connecting (common.outbound), never following a redirect,
with a time and size limit."""

import json

import requests
from django.conf import settings

from common.outbound import MUST_BE_PUBLIC, InvalidIPAddress, outbound_http, outbound_url_problem

TIMEOUT = (3.05, 10)
MAX_BYTES = 2_000_000


class FetchError(Exception):
    """The address may not be called, or did not answer with a document: the message says
    which, in words for the person configuring the connection."""


def url_problem(url: str) -> str | None:
    return outbound_url_problem(
        url, debug=settings.DEBUG, allow_http_loopback=settings.SSO_ALLOW_HTTP_LOOPBACK
    )


def fetch(url: str, *, accept: str) -> bytes:
    problem = url_problem(url)
    if problem:
        raise FetchError(problem)
    try:
        with outbound_http(
            debug=settings.DEBUG, allow_loopback=settings.SSO_ALLOW_HTTP_LOOPBACK, timeout=TIMEOUT
        ).send_request(
            "GET", url, allow_redirects=False, stream=True, headers={"Accept": accept}
        ) as response:
            if response.is_redirect:
                raise FetchError("The address redirects elsewhere: give the address it points to.")
            if response.status_code != 200:
                raise FetchError(f"The address answered with HTTP status {response.status_code}.")
            body = response.raw.read(MAX_BYTES + 1, decode_content=True)
    except InvalidIPAddress:
        raise FetchError(MUST_BE_PUBLIC) from None
    except requests.RequestException:
        raise FetchError("The address could not be reached.") from None
    if len(body) > MAX_BYTES:
        raise FetchError("The document at that address is too large.")
    return body


def fetch_json(url: str) -> dict:
    try:
        document = json.loads(fetch(url, accept="application/json"))
    except ValueError:
        raise FetchError("The address did not answer with a JSON document.") from None
    if not isinstance(document, dict):
        raise FetchError("The address did not answer with a JSON object.")
    return document
