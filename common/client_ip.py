"""The client's IP address, read once, the same way everywhere.

The login lockout (django-axes, through ``AXES_CLIENT_IP_CALLABLE``), the API throttles, the
API-key failure count, the form rate limits, the suspicious-activity rules, the session list
and usage capture all count or record this address. Were they to read it differently, an
attacker behind the proxy could pick which bucket they fill, or fill another client's.

With ``NUM_PROXIES`` = n > 0 (REST_FRAMEWORK's setting, which DRF's throttles honour), each of
the n proxies appends the address it received the request from to X-Forwarded-For, so the
n-th entry from the right is the client as our first proxy saw it; anything left of it was
written by the client and is not believed. With n = 0 the header is ignored: anyone can send it.
"""

import ipaddress

from rest_framework.settings import api_settings

FORWARDED_FOR = "HTTP_X_FORWARDED_FOR"


def _valid_ip(value: str | None) -> str | None:
    if not value:
        return None
    try:
        return str(ipaddress.ip_address(value.strip()))
    except ValueError:
        return None


def client_ip(request) -> str | None:
    """The client's address as DRF's throttles take it (``BaseThrottle.get_ident``), or None.

    Unlike ``get_ident``, an entry that is not an IP address falls back to REMOTE_ADDR: a
    proxy we trust never writes one, and the lockout's tables store addresses in IP columns.
    """
    meta = request.META
    remote_addr = _valid_ip(meta.get("REMOTE_ADDR"))
    num_proxies = api_settings.NUM_PROXIES or 0
    forwarded_for = meta.get(FORWARDED_FOR)
    if num_proxies <= 0 or not forwarded_for:
        return remote_addr
    entries = forwarded_for.split(",")
    return _valid_ip(entries[-min(num_proxies, len(entries))]) or remote_addr
