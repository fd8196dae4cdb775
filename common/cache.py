"""Django's cache backends, with what every request needs of them made cheap.

Django's RedisCache builds a new ``redis.Redis`` client for every operation (its client object
and its table of response callbacks, about 0.06 ms each time); the pool underneath is shared,
so one client per pool does the same work. And a rate limit's counter — count one more in a
fixed window and say how long the window has left — takes one round trip here
(``incr_window``), where ``add`` + ``incr`` + a separate window-start key took three to five.

Both backends have ``incr_window``, so ``common.ratelimit.window_hit`` works the same in the
embedded mode (memory) and in production (Redis).
"""

import math
import pickle
import time

from django.core.cache.backends import locmem, redis
from django.utils.functional import cached_property

# Count one more under KEYS[1]; a new counter (or one left without an expiry) gets ARGV[1]
# seconds to live. Returns {count, seconds left}. A script, so one command, run atomically.
INCR_WINDOW = """
local count = redis.call('INCR', KEYS[1])
local left = redis.call('TTL', KEYS[1])
if left < 0 then
  redis.call('EXPIRE', KEYS[1], ARGV[1])
  left = tonumber(ARGV[1])
end
return {count, left}
"""


class RedisCacheClient(redis.RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        index = self._get_connection_pool_index(write)
        client = self._clients.get(index)
        if client is None:
            # A redis.Redis over a pool is safe to share between threads; the pool notices a
            # fork and starts its own connections in the child.
            client = self._client(connection_pool=self._get_connection_pool(write))
            self._clients[index] = client
        return client

    @cached_property
    def _incr_window(self):
        return self.get_client(write=True).register_script(INCR_WINDOW)

    def incr_window(self, key: str, window: int) -> tuple[int, int]:
        count, left = self._incr_window(keys=[key], args=[window])
        return int(count), int(left)


class RedisCache(redis.RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = RedisCacheClient

    def incr_window(self, key: str, window: int) -> tuple[int, int]:
        """Count one more under ``key`` in a window of ``window`` seconds that starts with its
        first count; returns (count, seconds the window has left)."""
        return self._cache.incr_window(self.make_and_validate_key(key), window)


class LocMemCache(locmem.LocMemCache):
    def incr_window(self, key: str, window: int) -> tuple[int, int]:
        key = self.make_and_validate_key(key)
        with self._lock:
            if self._has_expired(key):
                self._set(key, pickle.dumps(0, self.pickle_protocol), window)
            # What this process pickled itself, as LocMemCache.incr reads it.
            count = pickle.loads(self._cache[key]) + 1  # noqa: S301
            self._cache[key] = pickle.dumps(count, self.pickle_protocol)
            self._cache.move_to_end(key, last=False)
            expires = self._expire_info[key]
        left = window if expires is None else max(1, math.ceil(expires - time.time()))
        return count, left
