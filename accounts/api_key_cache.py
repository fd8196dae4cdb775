"""Verified credentials — API keys, SCIM tokens — remembered in the cache, so that a request
presenting one needs no query.

An integration presents the same key (a directory, the same SCIM token) on every call; looking
it up in PostgreSQL (the credential and its organisation) cost about a millisecond of CPU and a
round trip per request. Once a credential has been verified against the database, its row and
its organisation's id, name, slug and status are kept in the cache for
``API_KEY_CACHE_SECONDS`` under the SHA-512 of the secret (the hash the database stores), so
only the exact secret finds them: a wrong or unknown one always goes to the database and
counts as a failure there. Any model of djangorestframework-api-key with an ``organisation``
works the same (accounts.OrganisationAPIKey, scim.ScimToken).

Revocation takes effect at once: revoking a key or a token (the console, an organisation's
closure) replaces its entry with a "revoked" mark once the transaction commits, and an entry
is only ever added, never overwritten, so a request that read the credential just before the
revocation cannot put it back. Reopening an organisation drops its credentials' entries, so
its SCIM tokens work again at once. A change made any other way (an expiry date, an
organisation's status or name edited in the database) is seen within
``API_KEY_CACHE_SECONDS``; 0 turns the cache off.
"""

from django.conf import settings
from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS
from rest_framework_api_key.models import AbstractAPIKey

from accounts.models import Organisation

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


def _entry(model, hashed_key: str) -> str | None:
    """The cache key of a stored hash; None for a hash of an older hasher (not cached)."""
    algorithm, _, digest = hashed_key.partition("$$")
    hasher = model.objects.key_generator.preferred_hasher
    if algorithm != hasher.algorithm or not digest:
        return None
    return f"credential:{model._meta.label_lower}:{digest}"


def credential_cache_entry(model, hashed_key: str) -> str | None:
    """Where the record of a presented secret, hashed, would be remembered; None when the cache
    is off or nothing was presented."""
    if not hashed_key or _seconds() <= 0:
        return None
    return _entry(model, hashed_key)


def credential_recall(model, record):
    """The credential a remembered record describes, REVOKED, or None when nothing was
    remembered. Fields the record does not hold are deferred: reading one loads it."""
    if record is None or record == REVOKED:
        return record
    key_values, organisation_values = record
    credential = _instance(model, key_values)
    credential.organisation = _instance(Organisation, organisation_values)
    return credential


def _instance(model, values: dict):
    """A row as the database would give it, with only ``values`` loaded (the rest deferred)."""
    names = [field.attname for field in model._meta.concrete_fields if field.attname in values]
    return model.from_db(DEFAULT_DB_ALIAS, names, [values[name] for name in names])


def credential_remember(credential) -> None:
    """Remember a credential just verified against the database (never over a revoked mark)."""
    entry = _entry(type(credential), credential.hashed_key)
    if entry is None or _seconds() <= 0:
        return
    fields = [field.attname for field in credential._meta.concrete_fields]
    record = (
        {name: getattr(credential, name) for name in KEY_FIELDS if name in fields},
        {name: getattr(credential.organisation, name) for name in ORGANISATION_FIELDS},
    )
    cache.add(entry, record, timeout=_seconds())


def credential_forget(credential) -> None:
    """Mark a revoked credential so that no process uses what it remembered of it."""
    entry = _entry(type(credential), credential.hashed_key)
    if entry is not None and _seconds() > 0:
        cache.set(entry, REVOKED, timeout=_seconds())


def _organisation_credentials(organisation_id: int):
    """Every API key and SCIM token of an organisation: the models of djangorestframework-api-key
    that point at Organisation (found here, so accounts need not import the apps that own them)."""
    for relation in Organisation._meta.related_objects:
        if issubclass(relation.related_model, AbstractAPIKey):
            manager = relation.related_model.objects
            yield from manager.filter(**{relation.field.name: organisation_id}).only("hashed_key")


def organisation_credentials_forget(organisation_id: int) -> None:
    """An organisation closed: what every process remembered of its credentials is unusable."""
    if _seconds() > 0:
        for credential in _organisation_credentials(organisation_id):
            credential_forget(credential)


def organisation_credentials_reread(organisation_id: int) -> None:
    """An organisation reopened: its credentials are looked up in the database again."""
    if _seconds() > 0:
        entries = [
            _entry(type(credential), credential.hashed_key)
            for credential in _organisation_credentials(organisation_id)
        ]
        cache.delete_many([entry for entry in entries if entry])
