"""Redis beside Django's cache (the usage buffer, the health check): one client per address
and process, so a request reuses the pool's open connection instead of connecting anew."""

from functools import lru_cache

import redis


@lru_cache(maxsize=8)
def redis_client(url: str) -> redis.Redis:
    # Short timeouts: a request must never hang on Redis; its callers fall back or report down.
    return redis.Redis.from_url(url, socket_connect_timeout=1, socket_timeout=2)
