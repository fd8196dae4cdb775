"""What every API call pays before its own work (issue 19), pinned: the queries and the Redis
round trips of an API-key request. bench/request_floor.py measures the time; this keeps the
count from creeping back."""

import pytest
import redis
from redis.connection import AbstractConnection

from accounts.models import ApiScope
from tests.factories import OrganisationFactory, UserFactory, api_key_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def redis_traffic(redis_url, monkeypatch):
    """Redis round trips sent (a command or a pipeline each) and clients built."""
    counts = {"round trips": 0, "clients built": 0}
    send, build = AbstractConnection.send_packed_command, redis.Redis.__init__

    def counted_send(self, *args, **kwargs):
        counts["round trips"] += 1
        return send(self, *args, **kwargs)

    def counted_build(self, *args, **kwargs):
        counts["clients built"] += 1
        return build(self, *args, **kwargs)

    monkeypatch.setattr(AbstractConnection, "send_packed_command", counted_send)
    monkeypatch.setattr(redis.Redis, "__init__", counted_build)
    return counts


def test_an_api_key_read_costs_one_query_and_two_redis_round_trips(
    client, redis_traffic, django_assert_num_queries
):
    organisation = OrganisationFactory()
    UserFactory(organisation=organisation)
    _, plain = api_key_for(organisation, scopes=[ApiScope.USERS])

    def read():
        response = client.get("/api/v1/users/", HTTP_AUTHORIZATION=f"Api-Key {plain}")
        assert response.status_code == 200

    read()  # the key is looked up and remembered; last_used_at is written
    redis_traffic.update({"round trips": 0, "clients built": 0})

    # the page with the count (the usage event goes to Redis, not to a query)
    with django_assert_num_queries(1):
        read()

    # 1 the client IP's key failures, the remembered key and the key's rate (one pipeline),
    # 2 the usage event, after the response (one script)
    assert redis_traffic == {"round trips": 2, "clients built": 0}
