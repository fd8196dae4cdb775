"""Organisation API keys: created by a person, shown once, stored hashed, revocable."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

import audit
from accounts.api_key_cache import credential_forget
from accounts.models import Organisation, OrganisationAPIKey
from accounts.selectors import actor_is_api_key, user_administers


def api_key_create(
    *, organisation: Organisation, name: str, scopes: list[str], by
) -> tuple[OrganisationAPIKey, str]:
    """Create a key; the plain key is returned once and only its hash is stored."""
    if not user_administers(by, organisation.pk):
        raise PermissionDenied("You may not create API keys for this organisation.")
    if actor_is_api_key(by):
        # A key is made by a person, who is named as its creator.
        raise PermissionDenied("An API key cannot create API keys.")
    key = OrganisationAPIKey(
        organisation=organisation, name=name.strip(), scopes=sorted(set(scopes)), created_by=by
    )
    key.full_clean(exclude=["id", "prefix", "hashed_key"])
    if not key.scopes:
        raise ValidationError({"scopes": "Choose at least one scope."})
    with transaction.atomic():
        plain = OrganisationAPIKey.objects.assign_key(key)
        key.save()
        audit.record(
            by,
            "api_key.create",
            target=key,
            target_id=key.prefix,  # the pk holds the key's hash: never in the trail
            details={"scopes": key.scopes},
        )
    return key, plain


def api_key_revoke(*, key: OrganisationAPIKey, by) -> OrganisationAPIKey:
    if not user_administers(by, key.organisation_id):
        raise PermissionDenied("You may not revoke this key.")
    if key.revoked:
        return key
    with transaction.atomic():
        key.revoked = True
        key.revoked_at = timezone.now()
        key.revoked_by = by
        key.save(update_fields=["revoked", "revoked_at", "revoked_by"])
        audit.record(by, "api_key.revoke", target=key, target_id=key.prefix)
        # Every process stops using what it remembered of the key as soon as this commits.
        transaction.on_commit(lambda: credential_forget(key))
    return key
