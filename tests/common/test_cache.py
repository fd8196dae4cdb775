"""The cache backends (common.cache): one Redis client per pool, and a fixed-window counter in
one round trip, the same in Redis and in memory."""

import time
import uuid

import pytest
import redis

from common.cache import LocMemCache, RedisCache


@pytest.fixture
def redis_cache(redis_url):
    backend = RedisCache(redis_url, {"KEY_PREFIX": f"test-{uuid.uuid4().hex}"})
    yield backend
    backend.clear()


@pytest.fixture
def memory_cache():
    backend = LocMemCache(f"test-{uuid.uuid4().hex}", {})
    yield backend
    backend.clear()


@pytest.fixture(params=["redis", "memory"])
def backend(request):
    return request.getfixturevalue(f"{request.param}_cache")


def test_a_window_counts_from_its_first_hit_and_says_how_long_it_has_left(backend):
    hits = [backend.incr_window("calls", 60) for _ in range(3)]

    assert [count for count, _ in hits] == [1, 2, 3]
    assert all(55 <= left <= 60 for _, left in hits)
    assert backend.get("calls") == 3  # a plain integer, readable with get()


def test_a_window_ends_on_time_and_the_count_starts_again(backend):
    backend.incr_window("calls", 1)
    backend.incr_window("calls", 1)

    time.sleep(1.2)  # an expiry in real time, in Redis too

    assert backend.incr_window("calls", 1) == (1, 1)


def test_refused_hits_do_not_stretch_the_window(backend):
    backend.incr_window("calls", 2)
    time.sleep(1.1)
    for _ in range(5):
        backend.incr_window("calls", 2)

    time.sleep(1.0)  # two seconds after the first hit, whatever came after it

    assert backend.incr_window("calls", 2)[0] == 1


def test_a_counter_left_without_an_expiry_gets_one(backend):
    backend.set("calls", 7, timeout=None)

    count, left = backend.incr_window("calls", 30)

    assert count == 8
    assert 25 <= left <= 30


def test_a_read_and_a_window_count_come_back_together(backend):
    backend.set("remembered", {"name": "Integration"})
    backend.set("zero", 0)

    found, counted = backend.get_many_and_incr_window(["remembered", "zero", "absent"], "calls", 60)
    _, again = backend.get_many_and_incr_window(["absent"], "calls", 60)

    assert found == {"remembered": {"name": "Integration"}, "zero": 0}
    assert counted[0] == 1 and 55 <= counted[1] <= 60
    assert again[0] == 2


def test_redis_operations_share_one_client(redis_cache, monkeypatch):
    redis_cache.set("a", 1)  # the pool and its client are made here
    built = []
    real = redis.Redis.__init__
    monkeypatch.setattr(
        redis.Redis, "__init__", lambda self, *a, **k: built.append(1) or real(self, *a, **k)
    )

    redis_cache.get("a")
    redis_cache.set("b", 2)
    redis_cache.incr_window("c", 10)
    redis_cache.get_many(["a", "b"])
    redis_cache.get_many_and_incr_window(["a"], "c", 10)

    assert built == []
