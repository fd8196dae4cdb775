"""The usage-event buffer: requests push, a beat task drains in bulk.

A request's events are pushed once, after its response has been sent (see usage.middleware),
cleaned first so that the database can take them. With Redis, events go onto a list and a
task moves them to the database every few seconds. Each drained batch is moved atomically to
its own key and recorded in the same transaction as its rows, so a worker killed mid-drain
loses nothing and a retry writes nothing twice; an event the database refuses becomes a dead
letter and the rest of its batch is written (usage.dead_letters). Without Redis (the embedded
mode) the request's events are written in one bulk insert. If Redis is down, or the buffer
holds USAGE_BUFFER_MAX_EVENTS already (the drain is stalled or far behind), events are written
straight to the database and counted; if that write fails too, they are counted as dropped.
"""

import json
import logging
import time
import uuid

import psycopg
import redis
from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import DatabaseError, IntegrityError, transaction

from common.redis_client import redis_client
from usage.dead_letters import events_store
from usage.events import direct_write_count, event_clean
from usage.models import BufferedBatch

logger = logging.getLogger(__name__)

# Push ARGV[2..] onto the buffer unless that would take it past ARGV[1] events: all or none,
# in the one round trip a plain RPUSH takes. Returns the new length, or -1 when full.
PUSH_BOUNDED = """
if redis.call('LLEN', KEYS[1]) + #ARGV - 1 > tonumber(ARGV[1]) then return -1 end
return redis.call('RPUSH', KEYS[1], unpack(ARGV, 2))
"""
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


def _client() -> redis.Redis:
    return redis_client(settings.REDIS_URL)


def _keys() -> tuple[str, str]:
    key = settings.USAGE_BUFFER_KEY
    return key, f"{key}:pending"


def _dropped_key() -> str:
    return f"{settings.USAGE_BUFFER_KEY}:dropped"


def _write_directly(events: list[dict], why: str) -> None:
    """Write past the buffer, and count it; if the database fails too, count them as dropped."""
    logger.warning("Usage buffer %s: writing %d events directly.", why, len(events))
    try:
        events_store(events, source="direct")
    except (DatabaseError, psycopg.Error):  # COPY's errors come from psycopg unwrapped
        logger.warning("Usage events dropped: %d (the direct write failed).", len(events))
        try:
            _client().incrby(_dropped_key(), len(events))
        except redis.RedisError:
            logger.warning("Usage buffer unavailable: the dropped events were not counted.")
        return
    direct_write_count(len(events))


def buffer_push(events: list[dict]) -> None:
    """Hand events to the buffer; never drops one silently."""
    if not events:
        return
    events = [event_clean(event) for event in events]
    if not buffer_enabled():
        events_store(events, source="request")
        return
    payload = [json.dumps(event, cls=DjangoJSONEncoder) for event in events]
    try:
        push = _client().register_script(PUSH_BOUNDED)
        length = push(keys=[_keys()[0]], args=[settings.USAGE_BUFFER_MAX_EVENTS, *payload])
    except redis.RedisError:
        _write_directly(events, "unavailable")
        return
    if length < 0:
        _write_directly(events, f"full ({settings.USAGE_BUFFER_MAX_EVENTS} events)")


def _write_batch(batch_key: str, items: list[bytes]) -> int:
    written = 0
    try:
        with transaction.atomic():
            BufferedBatch.objects.create(key=batch_key, events=len(items))
            written = events_store(items, source=batch_key)
    except IntegrityError:
        pass  # Another drain wrote this batch already (events_store keeps its own errors).
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


def buffer_dropped_count() -> int | None:
    """Events dropped since the buffer's keys were created; None if Redis cannot say."""
    if not buffer_enabled():
        return 0
    try:
        return int(_client().get(_dropped_key()) or 0)
    except redis.RedisError:
        return None
