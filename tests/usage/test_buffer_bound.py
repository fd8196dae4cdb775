"""The Redis buffer's bound: past USAGE_BUFFER_MAX_EVENTS nothing is lost silently. Events are
written straight to the database and counted; if that fails too they are counted as dropped;
the DPO's dashboard shows both counts."""

import psycopg
import pytest
from django.db import connection
from django.utils import timezone

from tests.factories import DpoFactory, UserFactory
from usage import buffer
from usage.models import DirectWriteCount, UsageEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def redis_buffer(requires_postgres, redis_url, settings):
    settings.USAGE_BUFFER = "redis"
    settings.USAGE_BUFFER_MAX_EVENTS = 3
    return buffer._client()


def events(user, *features) -> list[dict]:
    return [
        {
            "occurred_at": timezone.now(),
            "organisation_id": user.organisation_id,
            "user_id": user.pk,
            "action": "page_view",
            "feature": feature,
        }
        for feature in features
    ]


def stored_features(user) -> list[str]:
    return sorted(UsageEvent.objects.filter(user=user).values_list("feature", flat=True))


def test_past_the_bound_events_are_written_directly_counted_and_shown(
    redis_buffer, verified_client
):
    user = UserFactory()
    buffer.buffer_push(events(user, "a", "b"))
    buffer.buffer_push(events(user, "c", "d"))  # two more would make four: past the bound
    buffer.buffer_push(events(user, "e"))

    assert buffer.buffer_length() == 3
    assert stored_features(user) == ["c", "d"]  # written at once, not waiting in Redis
    assert DirectWriteCount.objects.get().events == 2

    assert buffer.buffer_drain() == 3
    assert stored_features(user) == ["a", "b", "c", "d", "e"]

    page = verified_client(DpoFactory()).get("/backoffice/").content.decode()
    assert "2</span> events written straight to the database" in page
    assert "0</span> events dropped" in page


def test_when_the_direct_write_fails_too_the_events_are_counted_as_dropped(
    redis_buffer, verified_client, caplog
):
    user = UserFactory()
    buffer.buffer_push(events(user, "a", "b", "c"))
    # Another session holds the events table, and this one waits for it 100 ms at most.
    with psycopg.connect(**connection.get_connection_params()) as other:
        other.execute("LOCK TABLE usage_usageevent IN ACCESS EXCLUSIVE MODE")
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL lock_timeout = '100ms'")
        buffer.buffer_push(events(user, "d", "e"))
        other.rollback()

    assert buffer.buffer_dropped_count() == 2
    assert "Usage events dropped: 2" in caplog.text
    assert user.email not in caplog.text
    assert not DirectWriteCount.objects.exists()

    page = verified_client(DpoFactory()).get("/backoffice/").content.decode()
    assert "2</span> events dropped" in page
