import pytest
import redis

pytestmark = pytest.mark.django_db


def test_healthz_reports_the_database_and_an_eager_broker(client, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "broker": "eager"}


def test_healthz_reports_a_live_redis_broker(client, settings, redis_url):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.CELERY_BROKER_URL = redis_url
    response = client.get("/healthz")
    assert response.json() == {"status": "ok", "database": "ok", "broker": "ok"}


def test_healthz_answers_503_and_names_the_broker_when_it_is_down(client, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"status": "down", "database": "ok", "broker": "down"}


def test_healthz_answers_503_when_the_database_is_down(client, monkeypatch):
    from django.db.backends.base import base

    def refuse(self, *args, **kwargs):
        raise base.DatabaseError("connection refused")

    monkeypatch.setattr(base.BaseDatabaseWrapper, "ensure_connection", refuse)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["database"] == "down"


def test_redis_down_is_a_redis_error():
    # The health check relies on redis-py raising RedisError (not OSError) for a dead port.
    with pytest.raises(redis.RedisError):
        redis.Redis.from_url("redis://127.0.0.1:1/0", socket_connect_timeout=1).ping()


def test_healthz_keeps_one_connection_to_the_broker(client, settings, redis_url, monkeypatch):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.CELERY_BROKER_URL = redis_url
    client.get("/healthz")
    built = []
    real = redis.Redis.__init__
    monkeypatch.setattr(
        redis.Redis, "__init__", lambda self, *a, **k: built.append(1) or real(self, *a, **k)
    )

    for _ in range(3):
        assert client.get("/healthz").json()["broker"] == "ok"

    assert built == []
