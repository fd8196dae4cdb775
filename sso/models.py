"""What single sign-on keeps: one connection per organisation, the e-mail domains an
organisation claims, and the assertion IDs and nonces already used (replay protection)."""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone

from accounts.models import Organisation, User

# What a client admin (or staff) sets on a connection; the client secret is set on its own.
CONNECTION_SETTINGS = (
    "protocol",
    "enabled",
    "idp_metadata_url",
    "idp_metadata_xml",
    "oidc_issuer",
    "oidc_client_id",
    "email_attribute",
    "role_attribute",
    "admin_role_value",
    "sso_required",
    "break_glass_admin",
    "allow_idp_initiated",
    "jit_enabled",
)


class SsoConnection(models.Model):
    """How the members of one organisation log in through its identity provider (IdP)."""

    class Protocol(models.TextChoices):
        SAML = "saml", "SAML 2.0"
        OIDC = "oidc", "OpenID Connect"

    organisation = models.OneToOneField(
        Organisation, on_delete=models.CASCADE, related_name="sso_connection"
    )
    protocol = models.CharField(max_length=8, choices=Protocol.choices)
    enabled = models.BooleanField(
        default=False, help_text="Members can log in through the identity provider."
    )

    # SAML 2.0: the IdP's metadata, pasted or fetched from its address (kept as fetched).
    idp_metadata_url = models.URLField("IdP metadata URL", max_length=1000, blank=True)
    idp_metadata_xml = models.TextField("IdP metadata XML", blank=True)
    idp_entity_id = models.CharField("IdP entity ID", max_length=1000, blank=True)
    idp_metadata_fetched_at = models.DateTimeField(null=True, blank=True)

    # OpenID Connect: the issuer (its discovery document is fetched), the client registered
    # there, and that client's secret, encrypted (recipients.secrets, WEBHOOK_SECRET_KEYS).
    oidc_issuer = models.URLField("issuer", max_length=500, blank=True)
    oidc_client_id = models.CharField("client ID", max_length=255, blank=True)
    oidc_client_secret_encrypted = models.TextField(blank=True)

    # What the IdP's answer is read for: the e-mail address (blank: the protocol's usual
    # place) and, optionally, a role.
    email_attribute = models.CharField(max_length=255, blank=True)
    role_attribute = models.CharField(max_length=255, blank=True)
    admin_role_value = models.CharField(max_length=255, blank=True)

    sso_required = models.BooleanField(
        "SSO required",
        default=False,
        help_text="Members with an address in a verified domain cannot log in with a password "
        "or reset one; only the break-glass admin can, with two-step login.",
    )
    break_glass_admin = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    allow_idp_initiated = models.BooleanField(
        "allow IdP-initiated login",
        default=False,
        help_text="Accept a SAML login started from the IdP's portal, not from our login page.",
    )
    jit_enabled = models.BooleanField(
        "create accounts at first login",
        default=False,
        help_text="A first login of an unknown address in a verified domain creates a member.",
    )

    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = "SSO connection"

    def __str__(self) -> str:
        return f"{self.get_protocol_display()} for {self.organisation}"

    @property
    def is_saml(self) -> bool:
        return self.protocol == self.Protocol.SAML

    @property
    def is_oidc(self) -> bool:
        return self.protocol == self.Protocol.OIDC

    @property
    def has_client_secret(self) -> bool:
        return bool(self.oidc_client_secret_encrypted)


class DomainClaim(models.Model):
    """An e-mail domain an organisation says is its own. Only once staff verify it does the
    domain route logins to the organisation's IdP and admit its addresses from that IdP; a
    domain is verified for one organisation at most."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="domain_claims"
    )
    domain = models.CharField(max_length=253)
    claimed_at = models.DateTimeField(default=timezone.now)
    claimed_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    verified_at = models.DateTimeField(null=True, blank=True)
    verified_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["domain"]
        constraints = [
            models.UniqueConstraint(
                Lower("domain"),
                condition=models.Q(verified_at__isnull=False),
                name="sso_domainclaim_verified_once",
                violation_error_message="This domain is already verified for an organisation.",
            ),
            models.UniqueConstraint(
                fields=["organisation", "domain"],
                name="sso_domainclaim_once_per_organisation",
                violation_error_message="This organisation has already claimed this domain.",
            ),
        ]

    def __str__(self) -> str:
        return self.domain

    def clean(self) -> None:
        if self.domain != self.domain.strip().lower():
            raise ValidationError({"domain": "Domains are stored in lower case."})

    @property
    def is_verified(self) -> bool:
        return self.verified_at is not None


class SeenToken(models.Model):
    """A SAML assertion ID or an OpenID Connect nonce already used, kept until it expires:
    the same one offered again is a replay. Only a keyed hash is stored."""

    digest = models.CharField(max_length=64, unique=True)
    expires_at = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return self.digest[:12]
