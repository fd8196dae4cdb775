"""The backup file: a header naming when the snapshot was taken, then the database's own dump,
the whole encrypted with Fernet (cryptography) when BACKUP_KEY is set.

The time travels inside the file because a restore replays every erasure since then: a file
whose time was lost could bring back the people erased after it.
"""

import json
from dataclasses import dataclass
from datetime import datetime

from cryptography.fernet import Fernet, InvalidToken

PLAIN = b"PRIVACYDESK-BACKUP 1\n"
ENCRYPTED = b"PRIVACYDESK-BACKUP-ENCRYPTED 1\n"


class BackupError(Exception):
    """A backup that cannot be read or made, in words for the person running the command."""


@dataclass(frozen=True)
class Header:
    taken_at: datetime
    engine: str  # "postgresql" or "sqlite"
    tables: int
    rows: int
    # PostgreSQL's rows are the planner's estimate (backups.services._counts), not a count.
    rows_estimated: bool = False

    @property
    def rows_in_words(self) -> str:
        if self.rows_estimated:
            return f"about {self.rows:,} rows, estimated"
        return f"{self.rows:,} rows"

    def as_bytes(self) -> bytes:
        data = {
            "taken_at": self.taken_at.isoformat(),
            "engine": self.engine,
            "tables": self.tables,
            "rows": self.rows,
            "rows_estimated": self.rows_estimated,
        }
        return json.dumps(data).encode() + b"\n"


def archive_pack(*, header: Header, dump: bytes, key: str) -> bytes:
    inner = PLAIN + header.as_bytes() + dump
    if not key:
        return inner
    try:
        fernet = Fernet(key.encode())
    except ValueError as error:
        raise BackupError("BACKUP_KEY is not a valid key (it must be a Fernet key).") from error
    return ENCRYPTED + fernet.encrypt(inner)


def archive_unpack(*, data: bytes, key: str) -> tuple[Header, bytes]:
    if data.startswith(ENCRYPTED):
        if not key:
            raise BackupError("This backup is encrypted and BACKUP_KEY is not set.")
        try:
            data = Fernet(key.encode()).decrypt(data[len(ENCRYPTED) :])
        except ValueError as error:
            raise BackupError("BACKUP_KEY is not a valid key (it must be a Fernet key).") from error
        except InvalidToken as error:
            raise BackupError(
                "BACKUP_KEY does not open this backup: the key is wrong or the file is damaged."
            ) from error
    if not data.startswith(PLAIN):
        raise BackupError("This file is not a PrivacyDesk backup, or it is damaged.")
    line, _, dump = data[len(PLAIN) :].partition(b"\n")
    try:
        meta = json.loads(line)
        header = Header(
            taken_at=datetime.fromisoformat(meta["taken_at"]),
            engine=meta["engine"],
            tables=int(meta["tables"]),
            rows=int(meta["rows"]),
            rows_estimated=bool(meta.get("rows_estimated", False)),  # absent before estimates
        )
    except (ValueError, KeyError, TypeError) as error:
        raise BackupError("This backup's header is damaged.") from error
    if header.taken_at.tzinfo is None or not dump:
        raise BackupError("This backup's header is damaged.")
    return header, dump
