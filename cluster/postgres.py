"""The two PostgreSQL clusters: a primary made with initdb, and a hot standby made from it with
``pg_basebackup`` that streams its WAL through a replication slot.

PostgreSQL refuses to run as root: as root, the data directories belong to the ``postgres``
system user and every PostgreSQL binary runs as it (``runuser``); supervisord starts the
servers as that user too. Otherwise everything runs as the current user.
"""

import os
import pwd
import shutil
import subprocess
import time
from pathlib import Path

import psycopg
from psycopg import sql

from cluster.topology import (
    APP_ROLE,
    BASE_DIR,
    DATABASE,
    HOST,
    LEDGER_DATABASE,
    OWNER_ROLE,
    PATHS,
    PG_BIN,
    PRIMARY_PORT,
    REPLICA_PORT,
    REPLICATION_ROLE,
    REPLICATION_SLOT,
    SUPERUSER,
    secrets_of_cluster,
    superuser_dsn,
)

RUNS_AS_ROOT = os.geteuid() == 0
SERVER_USER = "postgres" if RUNS_AS_ROOT else pwd.getpwuid(os.geteuid()).pw_name
ROLES_SCRIPT = BASE_DIR / "deploy" / "postgres" / "initdb" / "10-privacydesk-roles.sh"
# Appended to the primary's postgresql.conf; basebackup copies it to the replica.
SERVER_SETTINGS = """
# --- PrivacyDesk cluster (cluster/postgres.py) ---
listen_addresses = '{host}'
unix_socket_directories = '{socket}'
unix_socket_permissions = 0700
max_connections = 200
shared_buffers = 256MB
wal_level = replica
max_wal_senders = 5
max_replication_slots = 5
max_slot_wal_keep_size = 8GB
wal_compression = on
max_wal_size = 4GB
# A checkpoint a minute: a restarted server (the replica above all, whose restartpoints follow
# the primary's checkpoints) replays at most about a minute of WAL before it answers.
checkpoint_timeout = 1min
hot_standby = on
hot_standby_feedback = on
wal_retrieve_retry_interval = 1s
# Heavy reads are counted per cluster from these statistics (cluster/stats.py).
shared_preload_libraries = 'pg_stat_statements'
compute_query_id = on
pg_stat_statements.max = 10000
pg_stat_statements.track = top
log_min_messages = warning
"""


def pg_command(binary: str, *args: str) -> list[str]:
    command = [str(PG_BIN / binary), *args]
    return ["runuser", "-u", SERVER_USER, "--", *command] if RUNS_AS_ROOT else command


def _owned_by_server(path: Path) -> None:
    path.mkdir(parents=True, exist_ok=True)
    if RUNS_AS_ROOT:
        shutil.chown(path, SERVER_USER, SERVER_USER)


def _run(command: list[str], **kwargs) -> None:
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, **kwargs)


def primary_init() -> bool:
    """Create the primary's data directory; False when it exists already."""
    if (PATHS.primary / "PG_VERSION").exists():
        return False
    _owned_by_server(PATHS.primary.parent)
    _owned_by_server(PATHS.pg_socket)
    _run(
        pg_command(
            "initdb",
            "--pgdata",
            str(PATHS.primary),
            "--username",
            SUPERUSER,
            "--encoding",
            "UTF8",
            "--locale",
            "C.UTF-8",
            "--auth-local",
            "trust",
            "--auth-host",
            "scram-sha-256",
        )
    )
    settings = SERVER_SETTINGS.format(host=HOST, socket=PATHS.pg_socket)
    _append_as_server(PATHS.primary / "postgresql.conf", f"{settings}port = {PRIMARY_PORT}\n")
    return True


def _append_as_server(path: Path, text: str) -> None:
    with path.open("a") as handle:
        handle.write(text)
    if RUNS_AS_ROOT:
        shutil.chown(path, SERVER_USER, SERVER_USER)


def wait_until_ready(port: int, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with psycopg.connect(superuser_dsn(port, "postgres"), connect_timeout=2):
                return
        except psycopg.OperationalError:
            time.sleep(0.3)
    raise TimeoutError(f"PostgreSQL on port {port} did not accept connections in {seconds}s")


def roles_and_databases_create() -> None:
    """The owner and app roles exactly as docker compose makes them (deploy/postgres/initdb),
    the replication role, the ledger's database, and pg_stat_statements. Idempotent."""
    keys = secrets_of_cluster()
    with psycopg.connect(superuser_dsn(PRIMARY_PORT, "postgres"), autocommit=True) as conn:
        if conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [OWNER_ROLE]).fetchone():
            return
        for name in (DATABASE, LEDGER_DATABASE):
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        conn.execute(
            sql.SQL("CREATE ROLE {} WITH REPLICATION LOGIN PASSWORD {}").format(
                sql.Identifier(REPLICATION_ROLE), sql.Literal(keys["replication_password"])
            )
        )
    env = {
        **os.environ,
        "PGHOST": str(PATHS.pg_socket),
        "PGPORT": str(PRIMARY_PORT),
        "POSTGRES_USER": SUPERUSER,
        "POSTGRES_DB": DATABASE,
        "PRIVACYDESK_DB_OWNER": OWNER_ROLE,
        "PRIVACYDESK_DB_OWNER_PASSWORD": keys["owner_password"],
        "PRIVACYDESK_DB_APP": APP_ROLE,
        "PRIVACYDESK_DB_APP_PASSWORD": keys["app_password"],
    }
    _run(["sh", str(ROLES_SCRIPT)], env=env)
    with psycopg.connect(superuser_dsn(PRIMARY_PORT, LEDGER_DATABASE), autocommit=True) as conn:
        # The ledger's database, set up as the main one: the owner migrates, the app writes.
        for statement in (
            "ALTER DATABASE {db} OWNER TO {owner}",
            "REVOKE ALL ON DATABASE {db} FROM PUBLIC",
            "GRANT CONNECT, TEMPORARY ON DATABASE {db} TO {app}",
            "GRANT USAGE, CREATE ON SCHEMA public TO {owner}",
            "GRANT USAGE ON SCHEMA public TO {app}",
            "ALTER DEFAULT PRIVILEGES FOR ROLE {owner} IN SCHEMA public "
            "GRANT ALL ON TABLES TO {app}",
            "ALTER DEFAULT PRIVILEGES FOR ROLE {owner} IN SCHEMA public "
            "GRANT ALL ON SEQUENCES TO {app}",
        ):
            conn.execute(
                sql.SQL(statement).format(
                    db=sql.Identifier(LEDGER_DATABASE),
                    owner=sql.Identifier(OWNER_ROLE),
                    app=sql.Identifier(APP_ROLE),
                )
            )
    with psycopg.connect(superuser_dsn(PRIMARY_PORT), autocommit=True) as conn:
        conn.execute("CREATE EXTENSION IF NOT EXISTS pg_stat_statements")


def replica_init() -> bool:
    """Copy the running primary into the replica's directory with pg_basebackup (a new
    replication slot keeps the WAL the replica still needs); False when it exists."""
    if (PATHS.replica / "PG_VERSION").exists():
        return False
    _owned_by_server(PATHS.replica.parent)
    if PATHS.replica.exists():
        shutil.rmtree(PATHS.replica)  # a copy that did not finish
    with psycopg.connect(superuser_dsn(PRIMARY_PORT, "postgres"), autocommit=True) as conn:
        slot = conn.execute(
            "SELECT 1 FROM pg_replication_slots WHERE slot_name = %s", [REPLICATION_SLOT]
        ).fetchone()
        if slot:
            conn.execute("SELECT pg_drop_replication_slot(%s)", [REPLICATION_SLOT])
    env = {**os.environ, "PGPASSWORD": secrets_of_cluster()["replication_password"]}
    _run(
        pg_command(
            "pg_basebackup",
            "--host",
            HOST,
            "--port",
            str(PRIMARY_PORT),
            "--username",
            REPLICATION_ROLE,
            "--pgdata",
            str(PATHS.replica),
            "--write-recovery-conf",
            "--wal-method",
            "stream",
            "--create-slot",
            "--slot",
            REPLICATION_SLOT,
            "--checkpoint",
            "fast",
        ),
        env=env,
    )
    # postgresql.auto.conf overrides the primary's settings the copy brought along.
    _append_as_server(PATHS.replica / "postgresql.auto.conf", f"port = {REPLICA_PORT}\n")
    return True


def server_command(data_dir: Path) -> str:
    """What supervisord runs (in the foreground; SIGINT is PostgreSQL's fast shutdown)."""
    return f"{PG_BIN / 'postgres'} -D {data_dir}"
