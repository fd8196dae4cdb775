"""Fixed-window rate limits counted in the cache, for the public forms (rights, enquiries,
password reset).

Keys are hashed, so that no e-mail address or IP address is written into the cache's keys.
Count a client by ``common.client_ip.client_ip``, never by REMOTE_ADDR or X-Forwarded-For
read directly: behind a proxy the first is every client's, and the second anyone can write.
"""

from collections.abc import Sequence

from django.core.cache import cache
from django.utils.crypto import salted_hmac


def rate_bucket(namespace: str, kind: str, value: str) -> str:
    """The cache key of one window: ``namespace`` names the form, ``kind`` what is counted."""
    digest = salted_hmac(f"{namespace}.rate", f"{kind}:{value}").hexdigest()[:32]
    return f"{namespace}:{kind}:{digest}"


def rate_allow(limits: Sequence[tuple[str, int, int]]) -> bool:
    """May one more be taken under every (key, limit, window seconds)? If so, count it.

    The window starts at the first count. Counting only when all allow means a refused attempt
    does not extend the wait. Two concurrent attempts may both pass at the limit: a little
    inexact, and harmless here.
    """
    if any((cache.get(key) or 0) >= limit for key, limit, _ in limits):
        return False
    for key, _, window in limits:
        window_hit(key, window)
    return True


def window_hit(key: str, window: int) -> tuple[int, int]:
    """Count one more under ``key`` in its fixed window of ``window`` seconds, which starts at
    its first count; returns (the count, seconds the window has left).

    The project's cache backends (common.cache) do it in one atomic round trip.
    """
    incr_window = getattr(cache, "incr_window", None)
    if incr_window is not None:
        return incr_window(key, window)
    # Another backend (a test's own cache, say): the same count, in more round trips.
    cache.add(key, 0, timeout=window)
    try:
        return cache.incr(key), window
    except ValueError:  # the window ended between add() and incr()
        cache.set(key, 1, timeout=window)
        return 1, window


def get_many_and_window_hit(keys: Sequence[str], key: str, window: int):
    """``cache.get_many(keys)`` and ``window_hit(key, window)``, in one round trip on the
    project's cache backends: returns (what was found, (count, seconds the window has left))."""
    combined = getattr(cache, "get_many_and_incr_window", None)
    if combined is not None:
        return combined(keys, key, window)
    return cache.get_many(keys), window_hit(key, window)


def email_and_ip_limits(
    namespace: str,
    *,
    email: str | None,
    ip_address: str | None,
    per_email: tuple[int, int],
    per_ip: tuple[int, int],
) -> list[tuple[str, int, int]]:
    """The (key, limit, window) pairs of a form counted per e-mail address and per client IP,
    each ``(limit, window seconds)``; a missing address or IP is simply not counted."""
    limits = []
    if email:
        limits.append((rate_bucket(namespace, "email", email.strip().lower()), *per_email))
    if ip_address:
        limits.append((rate_bucket(namespace, "ip", ip_address), *per_ip))
    return limits
