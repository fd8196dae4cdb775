"""Reads for single sign-on: which organisation an e-mail domain routes to, whether a user
may log in with a password, and the addresses an IdP is given for this service."""

from urllib.parse import urlencode

from django.conf import settings
from django.db.models import QuerySet
from django.urls import reverse

from accounts.models import Organisation, User, UserManager
from common.roles import Role
from sso.models import DomainClaim, SsoConnection


def email_domain(email: str | None) -> str:
    """The domain of an address, lower case; "" when there is none."""
    local, at, domain = UserManager.normalize_email(email).rpartition("@")
    return domain.rstrip(".") if local and at else ""


def verified_claim(domain: str) -> DomainClaim | None:
    if not domain:
        return None
    return (
        DomainClaim.objects.select_related("organisation")
        .filter(domain=domain, verified_at__isnull=False)
        .first()
    )


def connection_usable(connection: SsoConnection | None) -> bool:
    """Can members log in through this connection now?"""
    return bool(
        connection is not None
        and connection.enabled
        and connection.organisation.status == Organisation.Status.ACTIVE
    )


def connection_of(organisation_id: int | None) -> SsoConnection | None:
    if organisation_id is None:
        return None
    return (
        SsoConnection.objects.select_related("organisation")
        .filter(organisation_id=organisation_id)
        .first()
    )


def connection_for_slug(slug: str) -> SsoConnection | None:
    return (
        SsoConnection.objects.select_related("organisation").filter(organisation__slug=slug).first()
    )


def connection_for_email(email: str | None) -> SsoConnection | None:
    """The usable connection of the organisation that has verified this address's domain.

    By domain only, never by looking the address up: which companies use single sign-on for
    their domain is no secret, whether a person has an account here is."""
    claim = verified_claim(email_domain(email))
    connection = connection_of(claim.organisation_id) if claim else None
    return connection if connection_usable(connection) else None


def sso_required_for_email(email: str | None) -> SsoConnection | None:
    """The connection when this address's domain belongs to an organisation that requires SSO."""
    connection = connection_for_email(email)
    return connection if connection is not None and connection.sso_required else None


def _connection_of_user(user: User) -> SsoConnection | None:
    """The user's organisation's connection: from the user's own row where it was read with it
    (``select_related("organisation__sso_connection")``), else one query."""
    organisation = user.organisation if User.organisation.is_cached(user) else None
    if organisation is None or not Organisation.sso_connection.is_cached(organisation):
        return connection_of(user.organisation_id)
    try:
        return organisation.sso_connection
    except SsoConnection.DoesNotExist:
        return None


def password_login_refused(user: User) -> bool:
    """Does the user's organisation require single sign-on of them? Of the addresses in its
    verified domains only: the IdP can log in no one else (a contractor's own address), who
    keeps a password. Its break-glass admin may still use one too, with two-step login as
    every client admin."""
    connection = _connection_of_user(user)
    if not (connection_usable(connection) and connection.sso_required):
        return False
    if connection.break_glass_admin_id == user.pk and user.is_client_admin:
        return False
    claim = verified_claim(email_domain(user.email))
    return claim is not None and claim.organisation_id == user.organisation_id


def start_url(connection: SsoConnection, next_url: str = "") -> str:
    url = reverse("sso:start", kwargs={"slug": connection.organisation.slug})
    return f"{url}?{urlencode({'next': next_url})}" if next_url else url


def sso_start_link(user: User) -> str:
    """The full address where ``user`` starts a single sign-on login, for an e-mail."""
    connection = connection_of(user.organisation_id)
    if connection is None:
        return settings.SITE_URL + reverse("sso:discover")
    return settings.SITE_URL + start_url(connection)


def service_urls(organisation: Organisation) -> dict[str, str]:
    """The addresses an IdP administrator copies into the IdP: ours, under SITE_URL."""
    slug = organisation.slug

    def absolute(name: str) -> str:
        return settings.SITE_URL + reverse(name, kwargs={"slug": slug})

    metadata = absolute("sso:saml-metadata")
    return {
        # The metadata address is the entity ID too, as Entra ID and Okta both suggest.
        "entity_id": metadata,
        "metadata_url": metadata,
        "acs_url": absolute("sso:saml-acs"),
        "start_url": absolute("sso:start"),
        "redirect_uri": absolute("sso:oidc-callback"),
    }


def domain_claims_of(organisation: Organisation) -> QuerySet[DomainClaim]:
    return DomainClaim.objects.filter(organisation=organisation).select_related(
        "claimed_by", "verified_by"
    )


def verified_domains_of(organisation_id: int) -> set[str]:
    return set(
        DomainClaim.objects.filter(
            organisation_id=organisation_id, verified_at__isnull=False
        ).values_list("domain", flat=True)
    )


def break_glass_candidates(organisation: Organisation) -> QuerySet[User]:
    """Who may be named the break-glass admin: the organisation's active client admins."""
    return User.objects.filter(
        organisation=organisation, role=Role.CLIENT_ADMIN, status=User.Status.ACTIVE
    ).order_by("full_name", "email")
