"""The embedded mode (SQLite, no DATABASE_URL) backs up with SQLite's online backup API and
restores from it, in a process of its own so that its databases are real files."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def manage(var_dir: Path, *args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.endswith("DATABASE_URL")}
    env.update(PRIVACYDESK_VAR_DIR=str(var_dir), REDIS_URL="", REDIS_CACHE_URL="")
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_the_embedded_database_is_backed_up_and_restored_and_a_damaged_file_refused(tmp_path):
    assert manage(tmp_path, "migrate", "--noinput").returncode == 0
    assert manage(tmp_path, "migrate", "--noinput", "--database", "ledger").returncode == 0
    backup = tmp_path / "embedded.backup"
    made = manage(tmp_path, "backup", "--out", str(backup))
    assert made.returncode == 0, made.stderr
    assert "Backed up" in made.stdout
    assert backup.read_bytes().startswith(b"PRIVACYDESK-BACKUP 1\n")

    restored = manage(tmp_path, "restore", str(backup), "--yes")
    assert restored.returncode == 0, restored.stderr
    assert "Erased again: 0 people" in restored.stdout

    damaged = tmp_path / "damaged.backup"
    damaged.write_bytes(backup.read_bytes()[:400])
    refused = manage(tmp_path, "restore", str(damaged), "--yes")
    assert refused.returncode == 1
    assert "damaged" in refused.stderr
    assert "Traceback" not in refused.stderr
