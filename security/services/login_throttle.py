"""Refusing one client IP's logins for a while: the password-spraying rule throttles the IP it
caught (security/services/rules.py), and the login page and the passkey sign-in ask here first.

The throttle lives in the cache (Redis in production, so every web process sees it), keyed by a
keyed hash of the IP like the other rate limits. It holds the moment it ends, so the refusal
can say how long to wait (Retry-After).
"""

import time

from django.core.cache import cache

from common.ratelimit import rate_bucket


def _key(ip_address: str) -> str:
    return rate_bucket("login-throttle", "ip", ip_address)


def login_throttle(*, ip_address: str, minutes: int) -> None:
    """Refuse logins from ``ip_address`` for ``minutes`` from now."""
    seconds = max(1, int(minutes * 60))
    cache.set(_key(ip_address), time.time() + seconds, timeout=seconds)


def login_throttled_for(ip_address: str | None) -> int:
    """Seconds until ``ip_address`` may try logging in again; 0 when it may now."""
    if not ip_address:
        return 0
    until = cache.get(_key(ip_address))
    if until is None:
        return 0
    return max(0, int(until - time.time() + 0.999))


def login_throttle_lift(*, ip_address: str) -> bool:
    """Let ``ip_address`` log in again now (a person cleared its investigation). Returns whether
    it was throttled."""
    return cache.delete(_key(ip_address))
