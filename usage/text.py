"""Untrusted values on their way into usage events, checked or cleaned where they enter.

PostgreSQL's text types cannot hold NUL, and UTF-8 cannot encode a lone surrogate (a JSON
``"\\ud800"`` escape puts one in a Python string): either makes the whole write fail. Its inet
type refuses an IPv6 zone id (``fe80::1%eth0``), which Python's ``ipaddress`` accepts.
Captured events are cleaned; events an integration sends are refused with a field error.
"""

import ipaddress
import re
from functools import lru_cache

UNSAFE_CHARACTERS = re.compile("[\x00\ud800-\udfff]")
REPLACEMENT = "\ufffd"


def text_unsafe(value: str) -> bool:
    """Whether the text holds a NUL or a lone surrogate (the common, ASCII case is one scan)."""
    if value.isascii():
        return "\x00" in value
    return UNSAFE_CHARACTERS.search(value) is not None


def text_clean(value: str, max_length: int) -> str:
    """The text with each NUL and lone surrogate replaced by U+FFFD, cut to ``max_length``."""
    if text_unsafe(value):
        value = UNSAFE_CHARACTERS.sub(REPLACEMENT, value)
    return value[:max_length]


@lru_cache(maxsize=4096)
def ip_address_plain(value: str) -> str | None:
    """The address in its canonical form, or None if it is not a plain IPv4 or IPv6 address."""
    try:
        address = ipaddress.ip_address(value)
    except ValueError:
        return None
    if getattr(address, "scope_id", None) is not None:
        return None
    return str(address)
