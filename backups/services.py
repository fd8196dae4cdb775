"""Backups of the main database and their restore, which replays the erasure ledger.

PostgreSQL goes through pg_dump's custom format and pg_restore; the embedded SQLite database
through SQLite's online backup API. Either way the file is an archive (backups.archive).
"""

import os
import sqlite3
import subprocess
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.utils import timezone

import audit
from audit.services import audit_chain_restored
from backups.archive import BackupError, Header, archive_pack, archive_unpack
from retention.services.ledger import Replay, erasure_ledger_replay
from security.services.self_check import backup_record

Progress = Callable[[str], None]


def _silent(message: str) -> None:
    pass


@dataclass(frozen=True)
class BackupResult:
    header: Header
    size: int
    seconds: float


@dataclass(frozen=True)
class RestoreResult:
    header: Header
    replay: Replay
    seconds: float


def _engine() -> str:
    vendor = connections[DEFAULT_DB_ALIAS].vendor
    if vendor not in ("postgresql", "sqlite"):
        raise BackupError(f"Backups support PostgreSQL and SQLite, not {vendor}.")
    return vendor


def _tool(program: str) -> str:
    # Debian's /usr/bin wrappers pick the client matching the server; PATH otherwise.
    return f"/usr/bin/{program}" if Path(f"/usr/bin/{program}").exists() else program


def _pg_command(program: str) -> tuple[list[str], dict[str, str]]:
    db = connections[DEFAULT_DB_ALIAS].settings_dict
    args = [_tool(program)]
    for flag, key in (("--host", "HOST"), ("--port", "PORT"), ("--username", "USER")):
        if db.get(key):
            args.append(f"{flag}={db[key]}")
    env = {**os.environ, "PGPASSWORD": str(db.get("PASSWORD") or "")}
    return args, env


def _run(args: list[str], env: dict[str, str] | None = None) -> bytes:
    try:
        done = subprocess.run(args, env=env, capture_output=True, check=False)  # noqa: S603
    except FileNotFoundError as error:
        raise BackupError(f"{args[0]} is not installed on this machine.") from error
    if done.returncode != 0:
        # The tool's own last words say what went wrong; they carry no password (PGPASSWORD).
        last = done.stderr.decode(errors="replace").strip().splitlines()[-3:]
        raise BackupError(f"{Path(args[0]).name} failed: " + " ".join(last))
    return done.stdout


@dataclass(frozen=True)
class Counts:
    tables: int
    rows: int
    estimated: bool


# Every table of the schemas searched (a partitioned table once, its partitions' rows in the
# sum) and the planner's row estimate of each; -1 for a table never analysed.
_PG_TABLES = """
SELECT c.relname, c.relkind, c.relispartition, c.reltuples FROM pg_class c
JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind IN ('r', 'p') AND n.nspname = ANY(current_schemas(false))
"""


def _counts() -> Counts:
    """The summary's tables and rows. On PostgreSQL the rows are pg_class.reltuples, the
    estimate ANALYZE and autovacuum keep, so a big database is not read table by table before
    pg_dump reads it again; only a table never analysed is counted. SQLite (the embedded
    database, small) is counted exactly."""
    connection = connections[DEFAULT_DB_ALIAS]
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(_PG_TABLES)
            found = cursor.fetchall()
            tables = sum(1 for _name, _kind, partition, _rows in found if not partition)
            rows = 0
            for name, kind, _partition, estimate in found:
                if kind == "p":
                    continue  # its partitions hold its rows
                if estimate < 0:
                    cursor.execute(f"SELECT COUNT(*) FROM {quote(name)}")  # noqa: S608 (catalogue)
                    estimate = cursor.fetchone()[0]
                rows += int(estimate)
            return Counts(tables=tables, rows=rows, estimated=True)
        names = connection.introspection.table_names(cursor)
        rows = 0
        for table in names:
            cursor.execute(f"SELECT COUNT(*) FROM {quote(table)}")  # noqa: S608 (introspected)
            rows += cursor.fetchone()[0]
    return Counts(tables=len(names), rows=rows, estimated=False)


def _dump(engine: str) -> bytes:
    db = connections[DEFAULT_DB_ALIAS].settings_dict
    if engine == "postgresql":
        args, env = _pg_command("pg_dump")
        return _run([*args, "--format=custom", f"--dbname={db['NAME']}"], env)
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / "copy.sqlite3"
        source, target = sqlite3.connect(db["NAME"]), sqlite3.connect(copy)
        try:
            source.backup(target)
        finally:
            source.close()
            target.close()
        return copy.read_bytes()


def backup_take(*, progress: Progress = _silent) -> tuple[bytes, BackupResult]:
    """Snapshot the main database. The header's time is taken before the dump starts, so an
    erasure during the dump is replayed by a restore (replaying is harmless)."""
    started = time.monotonic()
    engine = _engine()
    taken_at = timezone.now()
    progress("Counting tables and rows…")
    counts = _counts()
    header = Header(
        taken_at=taken_at,
        engine=engine,
        tables=counts.tables,
        rows=counts.rows,
        rows_estimated=counts.estimated,
    )
    progress(f"Dumping {header.tables:,} tables ({header.rows_in_words}) from {engine}…")
    dump = _dump(engine)
    if settings.BACKUP_KEY:
        progress("Encrypting…")
    data = archive_pack(header=header, dump=dump, key=settings.BACKUP_KEY)
    backup_record(
        description=f"Database backup ({engine}, {header.tables} tables, {header.rows_in_words})"
    )
    audit.record(
        None,
        "backup.take",
        details={
            "tables": header.tables,
            "rows": header.rows,
            "rows_estimated": header.rows_estimated,
            "bytes": len(data),
        },
    )
    return data, BackupResult(header=header, size=len(data), seconds=time.monotonic() - started)


# pg_restore --clean drops a partition's primary key before its parent's and PostgreSQL
# refuses; dropping the partitioned tables first (their partitions go with them) lets the rest
# of --clean run. One psql transaction: a failure leaves the database as it was.
_DROP_PARTITIONED = """
DO $$ DECLARE r record; BEGIN
  FOR r IN SELECT c.oid::regclass AS name FROM pg_class c
    JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname = 'public' AND c.relkind = 'p' AND NOT c.relispartition
  LOOP EXECUTE 'DROP TABLE IF EXISTS ' || r.name || ' CASCADE'; END LOOP;
END $$;
"""


def _restore_postgresql(dump: Path) -> None:
    args, env = _pg_command("pg_restore")
    _run([*args, "--list", str(dump)], env)  # a damaged dump stops here, before any drop
    script = dump.with_suffix(".sql")
    script.write_text(_DROP_PARTITIONED)
    with script.open("ab") as out:
        out.write(
            _run(
                [
                    _tool("pg_restore"),
                    "--clean",
                    "--if-exists",
                    "--no-owner",
                    "-f",
                    "-",
                    str(dump),
                ]
            )
        )
    psql, env = _pg_command("psql")
    name = connections[DEFAULT_DB_ALIAS].settings_dict["NAME"]
    connections[DEFAULT_DB_ALIAS].close()
    _run(
        [
            *psql,
            "--quiet",
            "--no-psqlrc",
            "--single-transaction",
            "--set=ON_ERROR_STOP=1",
            f"--dbname={name}",
            f"--file={script}",
        ],
        env,
    )


def _restore_sqlite(dump: Path) -> None:
    source = sqlite3.connect(dump)
    try:
        if source.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
            raise BackupError("This backup's database is damaged.")
        connections[DEFAULT_DB_ALIAS].close()
        target = sqlite3.connect(connections[DEFAULT_DB_ALIAS].settings_dict["NAME"])
        try:
            source.backup(target)
        finally:
            target.close()
    except sqlite3.DatabaseError as error:
        raise BackupError("This backup's database is damaged.") from error
    finally:
        source.close()


def backup_restore(*, path: Path, progress: Progress = _silent) -> RestoreResult:
    """Replace the main database with a backup, then erase again everyone the ledger erased
    since the backup was taken, before anything else reads the restored data."""
    started = time.monotonic()
    if not path.is_file():
        raise BackupError(f"No backup file at {path}.")
    engine = _engine()
    progress("Reading the backup…")
    header, dump = archive_unpack(data=path.read_bytes(), key=settings.BACKUP_KEY)
    if header.engine != engine:
        raise BackupError(f"This is a {header.engine} backup; this database is {engine}.")
    progress(f"Restoring {header.tables:,} tables ({header.rows_in_words})…")
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / "dump"
        copy.write_bytes(dump)
        if engine == "postgresql":
            _restore_postgresql(copy)
        else:
            _restore_sqlite(copy)
    replaced_head = audit_chain_restored()
    progress("Replaying the erasure ledger…")
    replay = erasure_ledger_replay(since=header.taken_at)
    audit.record(
        None,
        "backup.restore",
        details={
            "taken_at": header.taken_at,
            "erasures_replayed": replay.entries,
            "people_erased_again": replay.people,
            "audit_head_before_restore": replaced_head,
        },
    )
    return RestoreResult(header=header, replay=replay, seconds=time.monotonic() - started)
