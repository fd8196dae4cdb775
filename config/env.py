"""How settings.py reads what it is given: booleans in their usual spellings, keys (the
embedded mode's made once), a Redis server's other databases."""

import os
import secrets
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

env = environ.Env()


def env_flag(name: str, default: bool) -> bool:
    """Read a boolean, refusing anything but the usual spellings."""
    raw = env.str(name, default="").strip().lower()
    if raw == "":
        return default
    if raw in {"1", "true", "yes", "on"}:
        return True
    if raw in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name}={raw!r} is not a boolean: use 1/0, true/false, yes/no.")


def embedded_secret(folder: Path, filename: str) -> str:
    """A random key kept in ``folder`` (var/) so that the embedded mode needs no set-up.

    Processes that start together (gunicorn's workers, a worker beside the web server) must
    all read the same key: each writes its candidate to a file of its own, owner-only, and
    links it into place, which succeeds for the first only; every process then reads the
    winner's."""
    path = folder / filename
    if not path.exists():
        folder.mkdir(parents=True, exist_ok=True)
        candidate = folder / f".{filename}.{os.getpid()}"
        descriptor = os.open(candidate, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "w") as handle:
            handle.write(secrets.token_urlsafe(50))
        try:
            os.link(candidate, path)
        except FileExistsError:
            pass  # another process was first: its key is the key
        finally:
            candidate.unlink()
    return path.read_text().strip()


def secret_setting(name: str, folder: Path, *, min_length: int, production: bool) -> str:
    """The key ``name`` from the environment; without one, a random key kept in ``folder``
    under ``name`` in lower case (embedded_secret). In production it must be at least
    ``min_length`` characters."""
    value = env.str(name, default="") or embedded_secret(folder, name.lower())
    if production and len(value) < min_length:
        raise ImproperlyConfigured(
            f"{name} must be at least {min_length} characters in production."
        )
    return value


def redis_database(url: str, number: int) -> str:
    """The same Redis server, another database: flushing the cache never drops queued tasks."""
    scheme_host = url.split("?")[0].rstrip("/")
    head, _, tail = scheme_host.rpartition("/")
    base = head if tail.isdigit() and "//" in head else scheme_host
    return f"{base}/{number}"
