"""Where everything of the cluster lives, on which port, and the environment its app processes
share. All state is under ``CLUSTER_DIR`` (default ``var/cluster/``): delete it for a fresh
cluster (``make cluster-stop`` first)."""

import json
import os
import secrets
import sys
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
ROOT = Path(os.environ.get("CLUSTER_DIR", BASE_DIR / "var" / "cluster")).resolve()
PG_BIN = Path(os.environ.get("CLUSTER_PG_BIN", "/usr/lib/postgresql/15/bin"))
PYTHON_BIN = Path(sys.executable).parent
HOST = "127.0.0.1"

# Ports: away from the machine's own PostgreSQL (5432) and Redis (6379).
HAPROXY_PORT = int(os.environ.get("CLUSTER_HTTP_PORT", "8100"))
WEB_PORTS = {"web1": 8101, "web2": 8102}
WORKERS = ("worker1", "worker2")
REDIS_PORT = 6392
PRIMARY_PORT = 5440
REPLICA_PORT = 5441
# Each program that listens, and where: all free before the cluster starts, and once it stops.
PORTS = {
    "haproxy": HAPROXY_PORT,
    **WEB_PORTS,
    "redis": REDIS_PORT,
    "pg-primary": PRIMARY_PORT,
    "pg-replica": REPLICA_PORT,
}

DATABASE = "privacydesk"
LEDGER_DATABASE = "privacydesk_ledger"
OWNER_ROLE = "privacydesk_owner"
APP_ROLE = "privacydesk"
REPLICATION_ROLE = "replicator"
REPLICATION_SLOT = "cluster_replica"
SUPERUSER = "postgres"


class Paths:
    """The cluster's folders and files, under ``root``."""

    def __init__(self, root: Path):
        self.root = root
        self.primary = root / "pg" / "primary"
        self.replica = root / "pg" / "replica"
        self.pg_socket = root / "pg" / "run"
        self.run = root / "run"
        self.logs = root / "logs"
        self.media = root / "media"  # MEDIA_ROOT: the file storage every node shares
        self.mail = root / "mail"  # outgoing e-mail, one file per message
        self.app_var = root / "app-var"  # PRIVACYDESK_VAR_DIR of the app's processes
        self.redis = root / "redis"
        self.drill = root / "drill"  # the drills' people, load log and data state
        self.secrets = root / "secrets.json"


PATHS = Paths(ROOT)


def private_write(path: Path, text: str) -> None:
    """Write a file only its owner may read, from its first byte: created 0600, not written
    under the umask and narrowed afterwards, when another user could have opened it."""
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.fchmod(descriptor, 0o600)  # a file that was there already keeps its mode otherwise
    with os.fdopen(descriptor, "w") as handle:
        handle.write(text)


def secrets_of_cluster() -> dict[str, str]:
    """The cluster's keys and passwords, made once and kept (0600) beside its data."""
    if PATHS.secrets.exists():
        return json.loads(PATHS.secrets.read_text())
    PATHS.root.mkdir(parents=True, exist_ok=True)
    made = {
        name: secrets.token_urlsafe(48)
        for name in (
            "SECRET_KEY",
            "AUDIT_HMAC_KEY",
            "ERASURE_LEDGER_KEY",
            "owner_password",
            "app_password",
            "replication_password",
        )
    }
    private_write(PATHS.secrets, json.dumps(made, indent=2))
    return made


def database_url(role: str, password: str, port: int, name: str = DATABASE) -> str:
    return f"postgres://{role}:{password}@{HOST}:{port}/{name}"


def app_environment() -> dict[str, str]:
    """What every web node, worker and beat runs with: one configuration, as compose's .env."""
    keys = secrets_of_cluster()
    app = (APP_ROLE, keys["app_password"])
    return {
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "PYTHONUNBUFFERED": "1",
        "PRIVACYDESK_VAR_DIR": str(PATHS.app_var),
        "SECRET_KEY": keys["SECRET_KEY"],
        "AUDIT_HMAC_KEY": keys["AUDIT_HMAC_KEY"],
        "ERASURE_LEDGER_KEY": keys["ERASURE_LEDGER_KEY"],
        "DATABASE_URL": database_url(*app, PRIMARY_PORT),
        "DATABASE_REPLICA_URL": database_url(*app, REPLICA_PORT),
        "LEDGER_DATABASE_URL": database_url(*app, PRIMARY_PORT, LEDGER_DATABASE),
        "DATABASE_APP_ROLE": APP_ROLE,
        "REDIS_URL": f"redis://{HOST}:{REDIS_PORT}/0",
        "MEDIA_ROOT": str(PATHS.media),
        # filemail:// then the absolute path (django-environ drops the first slash of the path).
        "EMAIL_URL": f"filemail:///{PATHS.mail}",
        "ALLOWED_HOSTS": f"{HOST},localhost",
        "SITE_URL": f"http://{HOST}:{HAPROXY_PORT}",
        # HAProxy appends the client's address to X-Forwarded-For.
        "NUM_PROXIES": "1",
        # A task whose worker died comes back after 30 seconds; a purge's claim on its category
        # lapses after 10 without a heartbeat, so the task that comes back finishes the purge.
        "CELERY_VISIBILITY_TIMEOUT": "30",
        "RETENTION_LEASE_SECONDS": "10",
        # Small, paced purge batches: a purge lasts long enough to be killed mid-run.
        "RETENTION_BATCH_SIZE": "2000",
        "RETENTION_BATCH_PAUSE_SECONDS": "0.1",
        # The drills' load comes from one address: its limits are set above what it sends.
        "API_THROTTLE_USER": "100000/minute",
        "API_THROTTLE_ANON": "100000/minute",
        "RIGHTS_REQUEST_LIMIT_PER_IP": "1000000",
        "LOG_LEVEL": "WARNING",
    }


def owner_environment() -> dict[str, str]:
    """As the app, but as the tables' owner: migrations run as it, as compose's migrate does."""
    keys = secrets_of_cluster()
    owner = (OWNER_ROLE, keys["owner_password"])
    return {
        **app_environment(),
        "DATABASE_URL": database_url(*owner, PRIMARY_PORT),
        "LEDGER_DATABASE_URL": database_url(*owner, PRIMARY_PORT, LEDGER_DATABASE),
    }


def superuser_dsn(port: int, dbname: str = DATABASE) -> str:
    """The superuser, over the cluster's own Unix socket (trust, readable by its owner only)."""
    return f"host={PATHS.pg_socket} port={port} user={SUPERUSER} dbname={dbname}"
