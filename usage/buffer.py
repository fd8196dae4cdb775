"""The usage-event buffer: requests push, a beat task drains in bulk.

A request's events are pushed once, after its response has been sent (see usage.capture).
With Redis, events go onto a list and a task moves them to the database every few seconds.
Each drained batch is moved atomically to its own key and recorded in the same transaction
as its rows, so a worker killed mid-drain loses nothing and a retry writes nothing twice.
Without Redis (the embedded mode) the request's events are written in one bulk insert.
If Redis is down, events are written straight to the database and counted.
"""

import json
import logging
import time
import uuid
from functools import cache

import redis
from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, transaction

from usage.events import direct_write_count, events_write
from usage.models import BufferedBatch

logger = logging.getLogger(__name__)

# Move up to ARGV[1] events from the buffer to a batch key and register it as pending.
MOVE_BATCH = """
local items = redis.call('LPOP', KEYS[1], ARGV[1])
if not items then return {} end
redis.call('RPUSH', KEYS[2], unpack(items))
redis.call('ZADD', KEYS[3], ARGV[2], KEYS[2])
return items
"""
STALE_AFTER_SECONDS = 120


def buffer_enabled() -> bool:
    return bool(settings.REDIS_URL) and settings.USAGE_BUFFER == "redis"


@cache
def _client() -> redis.Redis:
    return redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=1, socket_timeout=2)


def _keys() -> tuple[str, str]:
    key = settings.USAGE_BUFFER_KEY
    return key, f"{key}:pending"


def buffer_push(events: list[dict]) -> None:
    """Hand events to the buffer; never drops one silently."""
    if not events:
        return
    if not buffer_enabled():
        events_write(events)
        return
    payload = [json.dumps(event, cls=DjangoJSONEncoder) for event in events]
    try:
        _client().rpush(_keys()[0], *payload)
    except redis.RedisError:
        logger.warning("Usage buffer unavailable: writing %d events directly.", len(events))
        events_write(events)
        direct_write_count(len(events))


def _write_batch(batch_key: str, items: list[bytes]) -> int:
    events = [json.loads(item) for item in items]
    written = 0
    try:
        with transaction.atomic():
            BufferedBatch.objects.create(key=batch_key, events=len(events))
            written = events_write(events)
    except IntegrityError:
        pass  # Another drain wrote this batch already.
    _, pending = _keys()
    pipe = _client().pipeline()
    pipe.delete(batch_key)
    pipe.zrem(pending, batch_key)
    pipe.execute()
    return written


def _recover_stale_batches() -> int:
    """Finish batches whose drain died between moving them and deleting them."""
    _, pending = _keys()
    written = 0
    for batch_key in _client().zrangebyscore(pending, 0, time.time() - STALE_AFTER_SECONDS):
        batch_key = batch_key.decode()
        written += _write_batch(batch_key, _client().lrange(batch_key, 0, -1))
    return written


def buffer_drain(*, batch_size: int = 1000, max_batches: int = 200) -> int:
    """Write buffered events to the database; returns how many were written."""
    if not buffer_enabled():
        return 0
    key, pending = _keys()
    move = _client().register_script(MOVE_BATCH)
    written = _recover_stale_batches()
    for _ in range(max_batches):
        batch_key = f"{key}:batch:{uuid.uuid4().hex}"
        items = move(keys=[key, batch_key, pending], args=[batch_size, time.time()])
        if not items:
            break
        written += _write_batch(batch_key, items)
    return written


def buffer_length() -> int:
    return _client().llen(_keys()[0]) if buffer_enabled() else 0
