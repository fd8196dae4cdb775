"""An organisation's SSO connection: set up and changed by its client admin (or by staff for
them), every change audited by the names of the fields changed, never a secret's value.

Every active client admin is e-mailed what changed and who changed it: a connection quietly
pointed at another IdP would send every member's login there."""

import logging

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

import audit
from accounts.models import Organisation, User
from accounts.selectors import actor_is_api_key, user_administers
from accounts.tasks import notice_enqueue
from common.roles import STAFF_ROLES
from recipients.secrets import secret_encrypt
from sso import oidc, saml
from sso.http import FetchError, fetch, url_problem
from sso.models import CONNECTION_SETTINGS, SsoConnection
from sso.selectors import break_glass_candidates, verified_domains_of

logger = logging.getLogger(__name__)

SETTINGS = CONNECTION_SETTINGS
SECRET_MISSING = "Give the client secret the identity provider issued."  # noqa: S105 (words)
# Said in the notice to the client admins: names in words, never a value.
SETTING_WORDS = {
    "protocol": "the protocol (SAML 2.0 or OpenID Connect)",
    "enabled": "whether members can log in through it",
    "idp_metadata_url": "the identity provider's metadata URL",
    "idp_metadata_xml": "the identity provider's metadata",
    "oidc_issuer": "the OpenID Connect issuer",
    "oidc_client_id": "the client ID",
    "oidc_client_secret": "the client secret",
    "email_attribute": "the attribute read for the e-mail address",
    "role_attribute": "the attribute read for the role",
    "admin_role_value": "the role value that makes a client admin",
    "sso_required": "whether single sign-on is required",
    "break_glass_admin": "the break-glass admin",
    "allow_idp_initiated": "whether logins started at the identity provider are accepted",
    "jit_enabled": "whether a first login creates an account",
}
TEXT_SETTINGS = {
    "idp_metadata_url",
    "idp_metadata_xml",
    "oidc_issuer",
    "oidc_client_id",
    "email_attribute",
    "role_attribute",
    "admin_role_value",
}


def require_sso_admin(by, organisation: Organisation) -> None:
    """A person who administers the organisation: its client admin, or staff. Never a key."""
    if actor_is_api_key(by) or not user_administers(by, organisation.pk):
        raise PermissionDenied("You may not change this organisation's single sign-on.")


def _metadata_from_url(connection: SsoConnection) -> None:
    try:
        xml = fetch(connection.idp_metadata_url, accept="application/samlmetadata+xml, */*")
    except FetchError as error:
        raise ValidationError({"idp_metadata_url": str(error)}) from None
    connection.idp_metadata_xml = xml.decode("utf-8", errors="replace")
    connection.idp_metadata_fetched_at = timezone.now()


def _check_saml(connection: SsoConnection, *, fetch_metadata: bool) -> None:
    if connection.idp_metadata_url:
        problem = url_problem(connection.idp_metadata_url)
        if problem:
            raise ValidationError({"idp_metadata_url": problem})
        if fetch_metadata or not connection.idp_metadata_xml:
            _metadata_from_url(connection)
    if connection.idp_metadata_xml:
        try:
            connection.idp_entity_id = saml.idp_metadata_entity_id(
                connection.organisation, connection.idp_metadata_xml
            )
        except ValidationError as error:
            raise ValidationError({"idp_metadata_xml": error.messages}) from None
    elif connection.enabled:
        raise ValidationError(
            {"idp_metadata_xml": "Give the identity provider's metadata: its URL or its XML."}
        )


def _check_oidc(connection: SsoConnection, *, fetch_discovery: bool) -> None:
    errors = {}
    if connection.oidc_issuer:
        problem = url_problem(connection.oidc_issuer)
        if problem:
            errors["oidc_issuer"] = problem
        elif fetch_discovery:
            try:
                oidc.discovery(connection.oidc_issuer, fresh=True)
            except FetchError as error:
                errors["oidc_issuer"] = f"No OpenID Connect discovery document: {error}"
    if connection.enabled:
        if not connection.oidc_issuer:
            errors.setdefault("oidc_issuer", "Give the issuer's address.")
        if not connection.oidc_client_id:
            errors["oidc_client_id"] = "Give the client ID the identity provider issued."
        if not connection.oidc_client_secret_encrypted:
            errors["oidc_client_secret"] = SECRET_MISSING
    if errors:
        raise ValidationError(errors)


def _check_policy(connection: SsoConnection) -> None:
    errors = {}
    if bool(connection.role_attribute) != bool(connection.admin_role_value):
        errors["admin_role_value"] = (
            "Give both the role attribute and the value that makes a client admin, or neither."
        )
    admin = connection.break_glass_admin
    if (
        admin is not None
        and not break_glass_candidates(connection.organisation).filter(pk=admin.pk).exists()
    ):
        errors["break_glass_admin"] = "Choose an active client admin of this organisation."
    if connection.sso_required:
        if not connection.enabled:
            errors["sso_required"] = "Turn the connection on before requiring single sign-on."
        elif not verified_domains_of(connection.organisation_id):
            errors["sso_required"] = (
                "Single sign-on can be required once one of your domains is verified."
            )
    if errors:
        raise ValidationError(errors)


def _comparable(connection: SsoConnection, name: str):
    return (
        connection.break_glass_admin_id
        if name == "break_glass_admin"
        else getattr(connection, name)
    )


def sso_connection_save(
    *, organisation: Organisation, by, oidc_client_secret: str = "", **settings
) -> SsoConnection:
    """Create or change the organisation's connection. SAML metadata given by URL is fetched
    (again) and checked; an OpenID Connect issuer's discovery document must answer. A blank
    ``oidc_client_secret`` keeps the one stored."""
    require_sso_admin(by, organisation)
    unknown = set(settings) - set(SETTINGS)
    if unknown:
        raise ValidationError(dict.fromkeys(unknown, "This setting does not exist."))
    connection = SsoConnection.objects.filter(organisation=organisation).first()
    created = connection is None
    if created:
        connection = SsoConnection(organisation=organisation)
    before = {name: _comparable(connection, name) for name in SETTINGS}
    for name, value in settings.items():
        if name in TEXT_SETTINGS:
            value = (value or "").strip()
        setattr(connection, name, value)
    if oidc_client_secret.strip():
        connection.oidc_client_secret_encrypted = secret_encrypt(oidc_client_secret.strip())
    if connection.protocol not in SsoConnection.Protocol.values:
        raise ValidationError({"protocol": "Choose SAML 2.0 or OpenID Connect."})
    changed = [name for name in SETTINGS if _comparable(connection, name) != before[name]]
    if connection.is_saml:
        _check_saml(connection, fetch_metadata="idp_metadata_url" in changed)
    else:
        _check_oidc(connection, fetch_discovery="oidc_issuer" in changed or created)
    _check_policy(connection)
    connection.updated_by = by if isinstance(by, User) else None
    connection.full_clean()
    if oidc_client_secret.strip():
        changed.append("oidc_client_secret")
    with transaction.atomic():
        connection.save()
        audit.record(
            by,
            "sso.connection_create" if created else "sso.connection_update",
            target=connection,
            details={"organisation": organisation.pk, "fields": sorted(changed)},
        )
        if changed or created:
            _tell_admins(organisation, by=by, created=created, changed=changed)
    return connection


def _tell_admins(organisation: Organisation, *, by, created: bool, changed: list[str]) -> None:
    context = {
        "created": created,
        "organisation": organisation.name,
        "changes": [words for name, words in SETTING_WORDS.items() if name in changed],
        "by": by.full_name or by.email,
        "by_staff": by.role in STAFF_ROLES,
    }
    for admin in break_glass_candidates(organisation):  # its active client admins
        notice_enqueue(user=admin, kind="sso_connection_changed", context=context)


def sso_metadata_refresh(*, connection: SsoConnection, by=None) -> bool:
    """Fetch a SAML connection's IdP metadata again from its URL (an IdP rolls its signing
    certificate over through its metadata). Returns whether it changed. ``by`` None is the
    nightly task."""
    if by is not None:
        require_sso_admin(by, connection.organisation)
    if not (connection.is_saml and connection.idp_metadata_url):
        return False
    previous = connection.idp_metadata_xml
    _check_saml(connection, fetch_metadata=True)
    if connection.idp_metadata_xml == previous:
        SsoConnection.objects.filter(pk=connection.pk).update(
            idp_metadata_fetched_at=connection.idp_metadata_fetched_at
        )
        return False
    with transaction.atomic():
        connection.save(
            update_fields=[
                "idp_metadata_xml",
                "idp_entity_id",
                "idp_metadata_fetched_at",
                "updated_at",
            ]
        )
        audit.record(
            by,
            "sso.metadata_refresh",
            target=connection,
            details={"organisation": connection.organisation_id},
        )
    return True


def sso_metadata_refresh_all() -> int:
    """Nightly: fetch every SAML connection's metadata from its URL again; one IdP that does
    not answer is logged and skipped. Returns how many changed."""
    changed = 0
    connections = (
        SsoConnection.objects.select_related("organisation")
        .filter(protocol=SsoConnection.Protocol.SAML)
        .exclude(idp_metadata_url="")
    )
    for connection in connections:
        try:
            changed += sso_metadata_refresh(connection=connection)
        except ValidationError:
            logger.warning(
                "SAML metadata of organisation %s could not be fetched again",
                connection.organisation_id,
            )
    return changed
