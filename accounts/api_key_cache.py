"""Verified API keys, remembered in the cache so that a request presenting one needs no query.

An integration presents the same key on every call; looking it up in PostgreSQL (the key and
its organisation) cost about a millisecond of CPU and a round trip per request. Once a key has
been verified against the database, its row and its organisation's id, name, slug and status are
kept in the cache for ``API_KEY_CACHE_SECONDS`` under the SHA-512 of the key (the hash the
database stores), so only the exact key finds them: a wrong or unknown key always goes to the
database and counts as a failure there.

Revocation takes effect at once: ``api_key_revoke`` (the console, an organisation's closure)
replaces the entry with a "revoked" mark once its transaction commits, and an entry is only
ever added, never overwritten, so a request that read the key just before the revocation
cannot put it back. A change made any other way (an expiry date, an organisation's status or
name edited in the database) is seen within ``API_KEY_CACHE_SECONDS``; 0 turns the cache off.
"""

from django.conf import settings
from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS

from accounts.models import Organisation, OrganisationAPIKey

REVOKED = "revoked"
# "revoked" too: the library's model reads it in __init__, and a deferred field is a query.
KEY_FIELDS = (
    "id",
    "prefix",
    "hashed_key",
    "name",
    "revoked",
    "expiry_date",
    "organisation_id",
    "scopes",
    "last_used_at",
)
ORGANISATION_FIELDS = ("id", "name", "slug", "status")


def _seconds() -> int:
    return settings.API_KEY_CACHE_SECONDS


def _entry(hashed_key: str) -> str | None:
    """The cache key of a stored hash; None for a hash of an older hasher (not cached)."""
    algorithm, _, digest = hashed_key.partition("$$")
    hasher = OrganisationAPIKey.objects.key_generator.preferred_hasher
    return f"api-key:{digest}" if algorithm == hasher.algorithm and digest else None


def api_key_cache_entry(plain: str) -> str | None:
    """Where a presented key's record would be remembered; None when the cache is off."""
    if not plain or _seconds() <= 0:
        return None
    return _entry(OrganisationAPIKey.objects.key_generator.hash(plain))


def api_key_recall(record) -> OrganisationAPIKey | str | None:
    """The key a remembered record describes, REVOKED, or None when nothing was remembered.

    Fields the record does not hold are deferred: reading one loads it from the database.
    """
    if record is None or record == REVOKED:
        return record
    key_values, organisation_values = record
    api_key = _instance(OrganisationAPIKey, key_values)
    api_key.organisation = _instance(Organisation, organisation_values)
    return api_key


def _instance(model, values: dict):
    """A row as the database would give it, with only ``values`` loaded (the rest deferred)."""
    names = [field.attname for field in model._meta.concrete_fields if field.attname in values]
    return model.from_db(DEFAULT_DB_ALIAS, names, [values[name] for name in names])


def api_key_remember(api_key: OrganisationAPIKey) -> None:
    """Remember a key just verified against the database (never over a revoked mark)."""
    entry = _entry(api_key.hashed_key)
    if entry is None or _seconds() <= 0:
        return
    record = (
        {field: getattr(api_key, field) for field in KEY_FIELDS},
        {field: getattr(api_key.organisation, field) for field in ORGANISATION_FIELDS},
    )
    cache.add(entry, record, timeout=_seconds())


def api_key_forget(api_key: OrganisationAPIKey) -> None:
    """Mark a revoked key so that no process uses what it remembered of it."""
    entry = _entry(api_key.hashed_key)
    if entry is not None and _seconds() > 0:
        cache.set(entry, REVOKED, timeout=_seconds())
