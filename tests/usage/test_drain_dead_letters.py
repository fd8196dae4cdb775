"""The drain never stalls on a bad event: poisoned events in the real Redis buffer, a real
drain against PostgreSQL. Good events are stored exactly once, bad ones become dead letters
with their reason, and the buffer is left empty."""

import datetime
import json

import pytest
from django.test import Client
from django.utils import timezone

from datamap import Subject, registry
from retention.models import RetentionPolicy
from retention.services.purge import purge_category
from tests.factories import DpoFactory, SupportFactory, UserFactory
from usage import buffer
from usage.models import BufferedBatch, DeadLetter, UsageEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def redis_buffer(requires_postgres, redis_url, settings):
    settings.USAGE_BUFFER = "redis"
    return buffer._client()


def event(user, **fields) -> dict:
    return {
        "occurred_at": timezone.now().isoformat(),
        "organisation_id": user.organisation_id,
        "user_id": user.pk,
        "action": "page_view",
        **fields,
    }


def poisoned_and_good(user) -> tuple[list[bytes], dict[str, str]]:
    """Ten good events (features good-0 … good-9), the poisoned ones among them, and what
    each poisoned one's dead letter must say, by the marker its payload holds."""
    poisoned = {
        "poison-nul": (event(user, action="page\x00view", feature="poison-nul"), "DataError"),
        "poison-surrogate": (
            event(user, feature="poison-surrogate", path="/x\ud800"),
            "UnicodeEncodeError",
        ),
        "poison-long": (event(user, feature="poison-long", action="a" * 61), "value too long"),
        "poison-zone": (event(user, feature="poison-zone", ip_address="fe80::1%eth0"), "inet"),
        "poison-orphan": (
            event(user, feature="poison-orphan", organisation_id=None),
            "not-null",
        ),
        "poison-garbage": ('{"feature": "poison-garbage", "occurred_at": "2026-', "JSON"),
        "poison-array": ('["poison-array"]', "JSON"),
    }
    bad = [raw if isinstance(raw, str) else json.dumps(raw) for raw, _ in poisoned.values()]
    items = []
    for n in range(10):
        items.append(json.dumps(event(user, feature=f"good-{n}")))
        if bad:
            items.append(bad.pop(0))
    return [item.encode() for item in items], {m: why for m, (_, why) in poisoned.items()}


def leftover_keys(client) -> list[bytes]:
    key, _ = buffer._keys()
    return [k for k in client.scan_iter(f"{key}*") if not k.endswith(b":dropped")]


def test_poisoned_events_become_dead_letters_and_every_good_event_is_stored_once(redis_buffer):
    user = UserFactory()
    items, reasons = poisoned_and_good(user)
    key, _ = buffer._keys()
    redis_buffer.rpush(key, *items)

    assert buffer.buffer_drain(batch_size=6) == 10

    stored = sorted(UsageEvent.objects.filter(user=user).values_list("feature", flat=True))
    assert stored == sorted(f"good-{n}" for n in range(10))
    letters = list(DeadLetter.objects.order_by("id"))
    assert len(letters) == len(reasons)
    for marker, why in reasons.items():
        [letter] = [letter for letter in letters if marker in letter.payload]
        assert why in letter.reason, marker
        assert letter.source.startswith(f"{key}:batch:")
        assert letter.user_id == (None if marker in ("poison-garbage", "poison-array") else user.pk)
    assert leftover_keys(redis_buffer) == []

    # A second drain finds nothing and changes nothing.
    assert buffer.buffer_drain() == 0
    assert UsageEvent.objects.filter(user=user).count() == 10
    assert DeadLetter.objects.count() == len(reasons)


def test_a_dead_letter_keeps_unreadable_items_as_text(redis_buffer):
    key, _ = buffer._keys()
    redis_buffer.rpush(key, b'{"broken\xff', b"\x00\x01")
    assert buffer.buffer_drain() == 0
    payloads = sorted(DeadLetter.objects.values_list("payload", flat=True))
    assert payloads == ["\\x00\x01", '{"broken\\xff']
    reasons = set(DeadLetter.objects.values_list("reason", flat=True))
    assert reasons == {"Unreadable: not a JSON object."}


def test_a_poisoned_batch_left_by_a_dead_drain_no_longer_stalls_the_drain(redis_buffer):
    """GIVEN a batch holding a NUL, moved out of the buffer by a drain that then died (as
    every drain before this fix did, on every run), and new events behind it."""
    user = UserFactory()
    key, pending = buffer._keys()
    batch_key = f"{key}:batch:poisoned"
    redis_buffer.rpush(
        batch_key,
        json.dumps(event(user, feature="old")),
        json.dumps(event(user, path="/api/v1/rights-requests/\x00/")),
    )
    redis_buffer.zadd(pending, {batch_key: 0})
    redis_buffer.rpush(key, json.dumps(event(user, feature="new")))

    # WHEN the drain runs, twice
    assert buffer.buffer_drain() == 2
    assert buffer.buffer_drain() == 0

    # THEN the good events are stored once, the poisoned one is a dead letter, nothing waits
    assert sorted(UsageEvent.objects.filter(user=user).values_list("feature", flat=True)) == [
        "new",
        "old",
    ]
    [letter] = DeadLetter.objects.all()
    assert letter.source == batch_key
    assert "\\u0000" in letter.payload
    assert BufferedBatch.objects.filter(key=batch_key).exists()
    assert leftover_keys(redis_buffer) == []


def test_the_dpo_dashboard_shows_the_dead_letters_with_their_count_and_support_does_not(
    redis_buffer, verified_client
):
    user = UserFactory()
    items, reasons = poisoned_and_good(user)
    redis_buffer.rpush(buffer._keys()[0], *items)
    buffer.buffer_drain()

    page = verified_client(DpoFactory()).get("/backoffice/").content.decode()
    assert f"{len(reasons)}</span> dead letters" in page
    assert "value too long for type character varying(60)" in page
    support = verified_client(SupportFactory(), client=Client()).get("/backoffice/")
    assert "dead letter" not in support.content.decode()


def test_dead_letters_are_mapped_and_purged_after_their_retention_period():
    user = UserFactory()
    entry = registry.entries_for_model(DeadLetter)[0]
    assert entry.retention_category == "usage_dead_letters"
    days = RetentionPolicy.objects.get(category="usage_dead_letters").days
    old, fresh = (
        DeadLetter.objects.create(source="direct", reason="DataError", user=user, payload="{}")
        for _ in range(2)
    )
    DeadLetter.objects.filter(pk=old.pk).update(
        failed_at=timezone.now() - datetime.timedelta(days=days + 1)
    )

    run = purge_category(category="usage_dead_letters")

    assert list(DeadLetter.objects.values_list("pk", flat=True)) == [fresh.pk]
    assert run.counts == {"usage.dead_letters": {"deleted": 1}}
    assert [row.pk for row in entry.rows_of(Subject.of(user_ids=[user.pk]))] == [fresh.pk]
