"""Addresses a client gives us and we then call (webhook endpoints, identity providers):
only https on the public internet, so that no client can make the service reach inside our
own network. Plain http to a loopback address may be allowed for tests; DEBUG allows both.

Addresses are judged as written: a name that resolves to an internal address is not caught.
"""

import ipaddress
from urllib.parse import urlsplit

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
