"""The embedded mode's keys (config.env.embedded_secret): made once in var/ by whichever
process starts first, and the same key in every process, as gunicorn's workers, a Celery worker
and beat starting together need for sessions and for one audit chain."""

import multiprocessing
import secrets
import time
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from config.env import embedded_secret, secret_setting

STARTING = 4


def _start(index: int, folder: str, all_started) -> None:
    """A process starting up: every one finds no key yet, and each draws its own a little
    after the one before it (the interleaving in which each would otherwise keep its own)."""
    draw = secrets.token_urlsafe

    def slow_to_draw(length):
        all_started.wait(10)
        time.sleep(0.2 * index)
        return draw(length)

    secrets.token_urlsafe = slow_to_draw
    key = embedded_secret(Path(folder), "audit_hmac_key")
    (Path(folder) / f"seen-{index}").write_text(key)


def test_processes_starting_together_read_one_key(tmp_path):
    context = multiprocessing.get_context("fork")
    all_started = context.Barrier(STARTING)
    starting = [
        context.Process(target=_start, args=(i, str(tmp_path), all_started))
        for i in range(STARTING)
    ]
    for process in starting:
        process.start()
    for process in starting:
        process.join(30)
    assert [process.exitcode for process in starting] == [0] * STARTING

    key = (tmp_path / "audit_hmac_key").read_text()
    assert len(key) >= 50
    assert {(tmp_path / f"seen-{i}").read_text() for i in range(STARTING)} == {key}
    assert (tmp_path / "audit_hmac_key").stat().st_mode & 0o777 == 0o600
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == [], (
        "no process leaves its candidate key behind"
    )


def test_a_key_already_made_is_kept(tmp_path):
    (tmp_path / "secret_key").write_text("kept-from-an-earlier-start\n")
    assert embedded_secret(tmp_path, "secret_key") == "kept-from-an-earlier-start"


def test_a_key_comes_from_the_environment_else_from_its_file_and_production_wants_it_long(
    tmp_path, monkeypatch
):
    monkeypatch.delenv("LEDGER_TEST_KEY", raising=False)
    made = secret_setting("LEDGER_TEST_KEY", tmp_path, min_length=32, production=False)
    assert made == (tmp_path / "ledger_test_key").read_text().strip()

    monkeypatch.setenv("LEDGER_TEST_KEY", "short")
    assert secret_setting("LEDGER_TEST_KEY", tmp_path, min_length=32, production=False) == "short"
    with pytest.raises(ImproperlyConfigured, match="LEDGER_TEST_KEY must be at least 32"):
        secret_setting("LEDGER_TEST_KEY", tmp_path, min_length=32, production=True)
