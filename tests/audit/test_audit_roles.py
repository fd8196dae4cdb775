"""The compose deployment's database roles, on the real PostgreSQL.

The db service's init script (deploy/postgres/initdb/) runs against a scratch database, the
migrations run as its owner role with DATABASE_APP_ROLE set, as the compose migrate service
does, and then the app role, the one web, worker and beat use, tries the audit tables.
"""

import os
import secrets
import shutil
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest
from django.conf import settings
from django.db import connection
from psycopg import errors, sql

from tests.conftest import unavailable

INIT_SCRIPT = Path(settings.BASE_DIR) / "deploy" / "postgres" / "initdb" / "10-privacydesk-roles.sh"
INSERT_ENTRY = """
    INSERT INTO audit_auditentry (created_at, actor_label, action, target_type, target_id,
        target_label, details, prev_hash, hash, scheme, salt, commitments, legacy_hash,
        erased_fields)
    VALUES (now(), 'system', 'test.step', '', '', 'Ann Able', '{"who": "Ann"}', %s, %s, 3, '',
        '{}', '', '{}')
"""
INSERT_ANCHOR = """
    INSERT INTO audit_auditanchor (created_at, kind, entry_id, entry_hash, entries, mac)
    VALUES (now(), 'verify', 1, %s, 1, %s)
"""


def _server() -> dict:
    db = settings.DATABASES["default"]
    return {"host": db["HOST"] or "127.0.0.1", "port": str(db["PORT"] or 5432), "user": db["USER"]}


@pytest.fixture(scope="module")
def compose_database():
    """A scratch database set up as the compose db service and migrate service leave it."""
    if connection.vendor != "postgresql":
        unavailable("PostgreSQL (set DATABASE_URL)")
    if shutil.which("psql") is None:
        unavailable("psql (PostgreSQL's client)")
    server = _server()
    suffix = secrets.token_hex(4)
    name, owner, app = f"pd_roles_{suffix}", f"pd_owner_{suffix}", f"pd_app_{suffix}"
    admin = psycopg.connect(dbname="postgres", autocommit=True, **server)
    admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        subprocess.run(
            ["sh", str(INIT_SCRIPT)],
            env={
                **os.environ,
                "PGHOST": server["host"],
                "PGPORT": server["port"],
                "POSTGRES_USER": server["user"],
                "POSTGRES_DB": name,
                "PRIVACYDESK_DB_OWNER": owner,
                "PRIVACYDESK_DB_OWNER_PASSWORD": secrets.token_urlsafe(16),
                "PRIVACYDESK_DB_APP": app,
                "PRIVACYDESK_DB_APP_PASSWORD": secrets.token_urlsafe(16),
            },
            check=True,
            capture_output=True,
        )
        # Audit, usage and what they depend on: enough tables for the owner/app split to show.
        for app_label in ("audit", "usage"):
            manage_as(owner, name, server, app, "migrate", app_label, "--noinput")
        yield {"dbname": name, "owner": owner, "app": app, **server}
    finally:
        admin.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )
        for role in (app, owner):
            admin.execute(sql.SQL("DROP ROLE IF EXISTS {}").format(sql.Identifier(role)))
        admin.close()


def manage_as(role: str, database: str, server: dict, app_role: str, *args: str) -> None:
    """``manage.py`` connected as ``role``, with DATABASE_APP_ROLE set as compose sets it."""
    subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=settings.BASE_DIR,
        env={
            **os.environ,
            "DATABASE_URL": f"postgres://{role}@{server['host']}:{server['port']}/{database}",
            "DATABASE_APP_ROLE": app_role,
        },
        check=True,
        capture_output=True,
    )


def connect_as(database: dict, role: str) -> psycopg.Connection:
    return psycopg.connect(
        host=database["host"],
        port=database["port"],
        dbname=database["dbname"],
        user=database[role],
        autocommit=True,
    )


def test_the_app_role_may_only_insert_and_read_the_trail_and_its_anchors(compose_database):
    with connect_as(compose_database, "app") as app:
        app.execute(INSERT_ENTRY, ["0" * 64, "a" * 64])
        app.execute(INSERT_ANCHOR, ["a" * 64, "b" * 64])
        assert app.execute("SELECT count(*) FROM audit_auditentry").fetchone() == (1,)
        assert app.execute("SELECT count(*) FROM audit_auditanchor").fetchone() == (1,)

        refused = []
        for table in ("audit_auditentry", "audit_auditanchor"):
            for statement in (
                "UPDATE {} SET created_at = now()",
                "DELETE FROM {}",
                "TRUNCATE {}",
                "ALTER TABLE {} DISABLE TRIGGER USER",
            ):
                with pytest.raises(errors.InsufficientPrivilege):
                    app.execute(sql.SQL(statement).format(sql.Identifier(table)))
                refused.append((statement, table))
        assert len(refused) == 8
        assert app.execute("SELECT count(*) FROM audit_auditentry").fetchone() == (1,)


def test_the_app_role_may_blank_personal_details_and_change_nothing_else(compose_database):
    """The column-level grant (audit 0010) and the trigger (audit 0009) together: blanking a
    label, the IP address or a key of the details goes through; rewriting one, or touching a
    chained column, does not."""
    with connect_as(compose_database, "app") as app:
        [entry_id] = app.execute(INSERT_ENTRY + " RETURNING id", ["1" * 64, "c" * 64]).fetchone()
        where = sql.SQL(" WHERE id = {}").format(sql.Literal(entry_id))
        app.execute(
            sql.SQL(
                "UPDATE audit_auditentry SET target_label = '', details = details - 'who', "
                'erased_fields = \'{"target_label": 9, "details.who": 9}\', erased_at = now()'
            )
            + where
        )
        assert app.execute(
            sql.SQL("SELECT target_label, details FROM audit_auditentry") + where
        ).fetchone() == ("", {})

        for statement, error in (
            ("UPDATE audit_auditentry SET target_label = 'Bob', erased_at = now()", "append-only"),
            (
                "UPDATE audit_auditentry SET details = '{\"who\": 1}', erased_at = now()",
                "append-only",
            ),
            # Blanked, but not named in the markers.
            ("UPDATE audit_auditentry SET actor_label = '', erased_at = now()", "append-only"),
            ("UPDATE audit_auditentry SET hash = 'x'", "permission denied"),
            ("UPDATE audit_auditentry SET commitments = '{}'", "permission denied"),
        ):
            with pytest.raises(errors.InsufficientPrivilege, match=error):
                app.execute(sql.SQL(statement) + where)


def test_the_app_role_keeps_every_right_on_the_other_tables(compose_database):
    with connect_as(compose_database, "app") as app:
        app.execute("INSERT INTO django_content_type (app_label, model) VALUES ('t', 'one')")
        app.execute("UPDATE django_content_type SET model = 'two' WHERE app_label = 't'")
        app.execute("DELETE FROM django_content_type WHERE app_label = 't'")
        app.execute("TRUNCATE auth_group_permissions")
        app.execute("CREATE TABLE made_at_run_time (id int)")


def test_the_owner_too_is_refused_truncate_by_the_trigger(compose_database):
    with connect_as(compose_database, "owner") as owner:
        for table in ("audit_auditentry", "audit_auditanchor"):
            with pytest.raises(errors.InsufficientPrivilege, match="append-only"):
                owner.execute(sql.SQL("TRUNCATE {}").format(sql.Identifier(table)))


def test_the_app_role_adds_detaches_and_drops_usage_event_partitions(compose_database):
    # What the app does at run time: the monthly partitions (usage.partitions, through the
    # beat task's own code) and the retention purge's DETACH, RENAME and DROP of a past month.
    database = compose_database
    server = {key: database[key] for key in ("host", "port", "user")}
    manage_as(
        database["app"],
        database["dbname"],
        server,
        database["app"],
        "shell",
        "-c",
        "import datetime; from usage.partitions import partitions_ensure; "
        "partitions_ensure(start=datetime.date(2001, 1, 1), months=1)",
    )
    with connect_as(database, "app") as app:
        app.execute("ALTER TABLE usage_usageevent DETACH PARTITION usage_usageevent_y2001m01")
        app.execute("ALTER TABLE usage_usageevent_y2001m01 RENAME TO usage_purged_r1_y2001m01")
        app.execute("DROP TABLE usage_purged_r1_y2001m01")
        assert app.execute("SELECT to_regclass('usage_purged_r1_y2001m01')").fetchone() == (None,)
