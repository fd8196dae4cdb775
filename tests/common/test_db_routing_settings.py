"""The replica's settings: off unless DATABASE_REPLICA_URL is set, and refused when they could
not keep a session's own writes in sight."""

import json
import os
import subprocess
import sys
from pathlib import Path

from django.conf import settings

from accounts.models import Organisation
from common.db_routing import PrimaryReplicaRouter

BASE_DIR = Path(settings.BASE_DIR)
SHOW = (
    "import json, django; django.setup(); from django.conf import settings; "
    "print(json.dumps({'aliases': sorted(settings.DATABASES), "
    "'middleware': settings.MIDDLEWARE, 'replica': settings.DATABASES.get('replica')}))"
)


def settings_with(tmp_path, **variables) -> subprocess.CompletedProcess:
    env = {
        **os.environ,
        "PRIVACYDESK_VAR_DIR": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DATABASE_URL": "postgres://app:secret@db.example:5432/privacydesk",
        **variables,
    }
    if "DATABASE_REPLICA_URL" not in variables:
        env.pop("DATABASE_REPLICA_URL", None)
    return subprocess.run(
        [sys.executable, "-c", SHOW],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_without_a_replica_url_there_is_no_replica_and_the_router_stands_aside(tmp_path):
    completed = settings_with(tmp_path)
    shown = json.loads(completed.stdout.strip().splitlines()[-1])

    assert "replica" not in shown["aliases"]
    assert "common.db_routing.ReadYourWritesMiddleware" not in shown["middleware"]
    router = PrimaryReplicaRouter()
    assert router.db_for_read(Organisation) is None
    assert router.db_for_write(Organisation) is None


def test_a_replica_url_adds_the_replica_its_middleware_and_a_short_connect_timeout(tmp_path):
    completed = settings_with(
        tmp_path, DATABASE_REPLICA_URL="postgres://app:secret@replica.example:5432/privacydesk"
    )
    shown = json.loads(completed.stdout.strip().splitlines()[-1])

    assert shown["replica"]["HOST"] == "replica.example"
    assert shown["replica"]["OPTIONS"]["connect_timeout"] == 2
    assert shown["replica"]["TEST"]["MIRROR"] == "default"
    middleware = shown["middleware"]
    session = middleware.index("django.contrib.sessions.middleware.SessionMiddleware")
    assert middleware[session + 1] == "common.db_routing.ReadYourWritesMiddleware"


def test_a_read_your_writes_window_shorter_than_the_lag_allowed_stops_start_up(tmp_path):
    completed = settings_with(tmp_path, REPLICA_MAX_LAG_SECONDS="30", READ_YOUR_WRITES_SECONDS="10")

    assert completed.returncode != 0
    assert "READ_YOUR_WRITES_SECONDS must be at least" in completed.stderr


def test_a_replica_needs_a_postgresql_primary(tmp_path):
    completed = settings_with(
        tmp_path,
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        DATABASE_REPLICA_URL="postgres://app:secret@replica.example:5432/privacydesk",
    )

    assert completed.returncode != 0
    assert "DATABASE_REPLICA_URL needs DATABASE_URL to be PostgreSQL" in completed.stderr
