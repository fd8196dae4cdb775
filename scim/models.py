"""SCIM 2.0 provisioning (RFC 7643/7644): an organisation's directory (Entra ID, Okta...)
creates, updates, deactivates and deletes its users through a bearer token of its own."""

from django.db import models
from rest_framework_api_key.models import AbstractAPIKey


class ScimToken(AbstractAPIKey):
    """A provisioning token: one organisation's, made by a client admin, shown once, stored
    hashed (djangorestframework-api-key's SHA-512 of a high-entropy secret, compared in
    constant time), revocable. Its pk holds the hash: the audit trail names it by prefix."""

    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.CASCADE, related_name="scim_tokens"
    )
    created_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta(AbstractAPIKey.Meta):
        verbose_name = "SCIM token"


class ScimIdentity(models.Model):
    """What a directory says about one of its users beyond the account itself: its own id for
    them (``externalId``) and the parts of their name. The account (e-mail, name, job title,
    status) stays in accounts.User, changed only by accounts' services."""

    user = models.OneToOneField(
        "accounts.User", on_delete=models.CASCADE, related_name="scim_identity"
    )
    external_id = models.CharField(max_length=255, blank=True)
    given_name = models.CharField(max_length=150, blank=True)
    family_name = models.CharField(max_length=150, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # When provisioning last changed the account or these fields: the resource's lastModified.
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "SCIM identity"
        verbose_name_plural = "SCIM identities"

    def __str__(self) -> str:
        return f"SCIM identity of user {self.user_id}"
