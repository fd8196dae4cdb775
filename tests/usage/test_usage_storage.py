"""Partitions on PostgreSQL, the Redis buffer's crash recovery, and erasure of usage data."""

import datetime
import json

import pytest
from django.db import connection
from django.utils import timezone

from datamap import Subject
from datamap.engines import erase_subject
from tests.factories import UserFactory
from usage import buffer
from usage.models import BufferedBatch, DailyUsage, DailyUserUsage, UsageEvent
from usage.partitions import existing_partitions, partition_name, partitions_ensure
from usage.services import usage_rollup_day
from usage.tasks import ensure_usage_partitions

pytestmark = pytest.mark.django_db


def test_usage_events_are_partitioned_by_month_with_three_months_ahead(requires_postgres):
    ensure_usage_partitions.delay().get()
    this_month = timezone.now().date().replace(day=1)
    names = existing_partitions()
    for months_ahead in range(4):
        index = this_month.year * 12 + this_month.month - 1 + months_ahead
        month = datetime.date(index // 12, index % 12 + 1, 1)
        assert partition_name(month) in names
    assert ensure_usage_partitions.delay().get() == []  # a second run creates nothing


def test_a_new_partition_takes_over_rows_that_landed_in_the_default_one(requires_postgres):
    user = UserFactory()
    old = datetime.datetime(2025, 3, 15, 12, 0, tzinfo=datetime.UTC)
    UsageEvent.objects.create(
        occurred_at=old, organisation=user.organisation, user=user, action="x"
    )
    assert partitions_ensure(start=old.date(), months=1) == ["usage_usageevent_y2025m03"]
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM usage_usageevent_y2025m03")
        assert cursor.fetchone()[0] == 1
        cursor.execute("SELECT count(*) FROM usage_usageevent_default")
        assert cursor.fetchone()[0] == 0
    assert UsageEvent.objects.filter(user=user).count() == 1


def test_a_batch_a_dead_drain_left_behind_is_written_exactly_once(redis_url, settings):
    """GIVEN a drain that moved a batch out of the buffer and died before writing it."""
    settings.USAGE_BUFFER = "redis"
    user = UserFactory()
    event = {
        "occurred_at": timezone.now().isoformat(),
        "organisation_id": user.organisation_id,
        "user_id": user.pk,
        "action": "page_view",
    }
    client = buffer._client()
    key, pending = buffer._keys()
    batch_key = f"{key}:batch:dead"
    client.rpush(batch_key, json.dumps(event), json.dumps(event))
    client.zadd(pending, {batch_key: 0})  # moved long ago

    # WHEN the next drains run, twice
    assert buffer.buffer_drain() == 2
    assert buffer.buffer_drain() == 0

    # THEN both events are stored once, and nothing is left pending
    assert UsageEvent.objects.filter(user=user).count() == 2
    assert BufferedBatch.objects.filter(key=batch_key).exists()
    assert client.zcard(pending) == 0


def test_a_batch_already_written_is_not_written_again(redis_url, settings):
    settings.USAGE_BUFFER = "redis"
    user = UserFactory()
    event = json.dumps(
        {
            "occurred_at": timezone.now().isoformat(),
            "organisation_id": user.organisation_id,
            "user_id": user.pk,
            "action": "page_view",
        }
    )
    client = buffer._client()
    key, pending = buffer._keys()
    batch_key = f"{key}:batch:written"
    BufferedBatch.objects.create(key=batch_key, events=1)  # written, then the drain died
    client.rpush(batch_key, event)
    client.zadd(pending, {batch_key: 0})
    assert buffer.buffer_drain() == 0
    assert UsageEvent.objects.filter(user=user).count() == 0
    assert client.exists(batch_key) == 0


def test_erasure_removes_the_person_from_usage_but_keeps_the_counts():
    user = UserFactory()
    now = timezone.now()
    UsageEvent.objects.create(
        occurred_at=now,
        organisation=user.organisation,
        user=user,
        action="page_view",
        ip_address="203.0.113.5",
        session_hash="abc",
        feature="reports",
    )
    usage_rollup_day(day=timezone.localdate(now))

    erase_subject(Subject.of(user_ids=[user.pk], emails=[user.email]))

    event = UsageEvent.objects.get(organisation=user.organisation)
    assert (event.user_id, event.ip_address, event.session_hash) == (None, None, "")
    assert event.feature == "reports"
    assert DailyUsage.objects.get(organisation=user.organisation).user_id is None
    assert DailyUserUsage.objects.get(organisation=user.organisation).event_count == 1
