"""Addresses a client gives us and we then call (webhook endpoints, identity providers):
only https on the public internet, so that no client can make the service reach inside our
own network. Plain http to a loopback address may be allowed for tests; DEBUG allows both.

``outbound_url_problem`` judges an address as written, for a form; the HTTP clients below
(requests-hardened's IP filter) judge the address a name resolves to when the connection is
made, and connect to the address they checked, so a name that resolves (or is made to resolve
later) inside our network is refused too, and never follow a redirect.
"""

import ipaddress
from urllib.parse import urlsplit

import requests
from requests_hardened import Config, Manager
from requests_hardened.ip_filter import InvalidIPAddress
from requests_hardened.ip_filter_adapter import IPFilterAdapter

__all__ = [
    "InvalidIPAddress",
    "outbound_http",
    "outbound_session_guard",
    "outbound_url_problem",
]

MUST_BE_HTTPS = "The address must start with https://."
MUST_BE_PUBLIC = "The address must be on the public internet."


def _ip(host: str):
    try:
        return ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return None


def is_loopback(host: str) -> bool:
    address = _ip(host)
    return bool(address and address.is_loopback)


def is_internal(host: str) -> bool:
    """An address inside our own network, given as a number or as localhost."""
    address = _ip(host)
    if address is None:
        return host.lower() in {"localhost", "localhost.localdomain"}
    return not address.is_global


def outbound_url_problem(url: str, *, debug: bool, allow_http_loopback: bool) -> str | None:
    """Why we may not call ``url``, in words for a form; None when we may."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    plain_http_allowed = debug or (allow_http_loopback and is_loopback(host))
    if parts.scheme != "https" and not (parts.scheme == "http" and plain_http_allowed):
        return MUST_BE_HTTPS
    if is_internal(host) and not plain_http_allowed:
        return MUST_BE_PUBLIC
    return None


def outbound_http(*, debug: bool, allow_loopback: bool, timeout) -> Manager:
    """An HTTP client for an address a client gave us: the IP filter on (DEBUG lifts it;
    ``allow_loopback`` lets 127.0.0.1 through, for tests), redirects never followed."""
    return Manager(
        Config(
            ip_filter_enable=not debug,
            ip_filter_allow_loopback_ips=allow_loopback,
            never_redirect=True,
            default_timeout=timeout,
        )
    )


def outbound_session_guard(session: requests.Session, *, debug: bool, allow_loopback: bool):
    """The same IP filter on a requests session a library made (authlib's OAuth 2.0 client),
    which also stops following redirects."""
    session.max_redirects = 0
    if debug:
        return
    for scheme, https in (("http://", False), ("https://", True)):
        session.mount(scheme, IPFilterAdapter(is_https_proto=https, allow_loopback=allow_loopback))
