import os

import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.db.backends.postgresql.operations import DatabaseOperations
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from config.celery import app as celery_app
from usage.middleware import purposes_forget

IN_CI = os.environ.get("CI", "").lower() == "true"


def pytest_configure(config):
    # Argon2 is slow on purpose; only the login benchmark needs the real cost.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Tasks run in the test process unless a test starts a real worker.
    settings.CELERY_TASK_ALWAYS_EAGER = True
    celery_app.conf.task_always_eager = True


def pytest_collection_modifyitems(items):
    # The erasure executor writes the erasure ledger, which has its own database: every test
    # that uses the database may reach it.
    for item in items:
        marker = item.get_closest_marker("django_db")
        if marker is not None and "databases" in marker.kwargs:
            continue
        if marker is None and "_django_db_helper" not in item.fixturenames:
            continue
        kwargs = dict(marker.kwargs) if marker is not None else {}
        item.add_marker(
            pytest.mark.django_db(databases=["default", "ledger"], **kwargs), append=False
        )


def unavailable(what: str) -> None:
    """A service a test needs is missing: CI fails, a developer's machine skips."""
    message = f"{what} is not available"
    if IN_CI:
        pytest.fail(f"{message}, and CI=true requires it.")
    pytest.skip(message)


@pytest.fixture(autouse=True, scope="session")
def _flush_past_the_audit_truncate_trigger():
    """The audit trail refuses TRUNCATE (audit migration 0005), and so does Django's flush
    between transactional tests. That flush is the one truncation allowed, run with triggers
    off as only a superuser (the suite's PostgreSQL user) may."""
    flush = DatabaseOperations.execute_sql_flush

    def execute_sql_flush(self, sql_list):
        return flush(self, ["SET LOCAL session_replication_role = replica", *sql_list])

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(DatabaseOperations, "execute_sql_flush", execute_sql_flush)
        yield


@pytest.fixture(autouse=True)
def _clean_cache():
    cache.clear()
    _clear_usage_buffer()
    purposes_forget()
    yield
    cache.clear()


def _clear_usage_buffer():
    from usage.buffer import _client, buffer_enabled

    if buffer_enabled():
        client = _client()
        keys = list(client.scan_iter(f"{settings.USAGE_BUFFER_KEY}*"))
        if keys:
            client.delete(*keys)


@pytest.fixture
def requires_postgres(db):
    if connection.vendor != "postgresql":
        unavailable("PostgreSQL (set DATABASE_URL)")


@pytest.fixture
def redis_url():
    url = os.environ.get("REDIS_URL")
    if not url:
        unavailable("Redis (set REDIS_URL)")
    import redis

    try:
        redis.Redis.from_url(url, socket_connect_timeout=2).ping()
    except redis.RedisError:
        unavailable(f"Redis at {url}")
    return url


def otp_device_for(user) -> TOTPDevice:
    """The user's confirmed authenticator, made if they have none."""
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    return device or TOTPDevice.objects.create(user=user, name="Test authenticator", confirmed=True)


@pytest.fixture
def verified_client(client):
    """``verified_client(user)`` logs ``user`` in with their second factor verified.

    It force-logs-in and stores the device in the session the way ``django_otp.login`` does,
    so django-otp's middleware finds the session verified. Pass ``client=`` to log a second
    test client in.
    """

    def login(user, client=client):
        device = otp_device_for(user)
        client.force_login(user)
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
        return client

    return login


def _is_transactional(item) -> bool:
    marker = item.get_closest_marker("django_db")
    fixtures = getattr(item, "fixturenames", ())
    return bool(
        (marker is not None and marker.kwargs.get("transaction"))
        or "transactional_db" in fixtures
        or "live_server" in fixtures
    )


def _seed_reference_rows() -> None:
    """Run every data migration's ``seed`` function again, with today's models.

    Reference rows (letters, retention policies, cookie groups, the first privacy notice)
    come from data migrations whose seeding function (or a partial of it, as
    retention.seeding's) is called ``seed`` and is idempotent.
    """
    from django.apps import apps
    from django.db.migrations.loader import MigrationLoader
    from django.db.migrations.operations.special import RunPython

    graph = MigrationLoader(None, ignore_no_migrations=True).graph
    # In the order migrate ran them: a later seed may add to an earlier one's rows.
    plan = dict.fromkeys(key for leaf in graph.leaf_nodes() for key in graph.forwards_plan(leaf))
    for key in plan:
        migration = graph.nodes[key]
        for operation in migration.operations:
            code = getattr(operation, "code", None)
            if isinstance(operation, RunPython) and getattr(code, "func", code).__name__ == "seed":
                code(apps, None)


@pytest.fixture(autouse=True)
def _reference_rows(request):
    """A transactional test starts after another's flush: put the seeded reference rows back.

    (Serialized rollback cannot do it here: a flush re-creates content types under new ids,
    which a later restore of the old ones collides with.)
    """
    if _is_transactional(request.node):
        request.getfixturevalue("transactional_db")
        _seed_reference_rows()
