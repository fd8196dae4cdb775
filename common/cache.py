"""Django's cache backends, with what every request needs of them made cheap.

Django's RedisCache builds a new ``redis.Redis`` client for every operation (its client object
and its table of response callbacks, about 0.06 ms each time); the pool underneath is shared,
so one client per pool does the same work. And a rate limit's counter — count one more in a
fixed window and say how long the window has left — takes one round trip here
(``incr_window``), where ``add`` + ``incr`` + a separate window-start key took three to five;
with a read of other keys beside it (``get_many_and_incr_window``), still one.

Both backends have ``incr_window``, so ``common.ratelimit.window_hit`` works the same in the
embedded mode (memory) and in production (Redis).
"""

import math
import pickle
import time

from django.core.cache.backends import locmem, redis


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

    @staticmethod
    def _count_in_window(pipeline, key: str, window: int) -> None:
        # In one MULTI … EXEC: a new counter (or one left without an expiry) gets its window.
        pipeline.incr(key)
        pipeline.expire(key, window, nx=True)
        pipeline.ttl(key)

    def incr_window(self, key: str, window: int) -> tuple[int, int]:
        pipeline = self.get_client(key, write=True).pipeline()
        self._count_in_window(pipeline, key, window)
        count, _, left = pipeline.execute()
        return int(count), int(left)

    def get_many_and_incr_window(self, keys, window_key: str, window: int):
        pipeline = self.get_client(window_key, write=True).pipeline()
        pipeline.mget(keys)
        self._count_in_window(pipeline, window_key, window)
        values, count, _, left = pipeline.execute()
        found = {
            key: self._serializer.loads(value)
            for key, value in zip(keys, values, strict=True)
            if value is not None
        }
        return found, (int(count), int(left))


class RedisCache(redis.RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = RedisCacheClient

    def incr_window(self, key: str, window: int) -> tuple[int, int]:
        """Count one more under ``key`` in a window of ``window`` seconds that starts with its
        first count; returns (count, seconds the window has left)."""
        return self._cache.incr_window(self.make_and_validate_key(key), window)

    def get_many_and_incr_window(self, keys, window_key: str, window: int):
        """``get_many(keys)`` and ``incr_window(window_key, window)`` in one round trip:
        returns (what was found, (count, seconds the window has left))."""
        names = {self.make_and_validate_key(key): key for key in keys}
        found, counted = self._cache.get_many_and_incr_window(
            list(names), self.make_and_validate_key(window_key), window
        )
        return {names[name]: value for name, value in found.items()}, counted


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

    def get_many_and_incr_window(self, keys, window_key: str, window: int):
        return self.get_many(keys), self.incr_window(window_key, window)
