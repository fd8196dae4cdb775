"""SAML 2.0 through pysaml2: this service is the service provider (SP) of each organisation's
identity provider (IdP). The SP configuration is built in code from the connection row, so
each organisation has its own entity ID, ACS URL and IdP metadata while one key pair (from
settings) signs our requests and decrypts encrypted assertions.

pysaml2 (with the xmlsec1 binary) verifies what the IdP signed: the signature against the
IdP's certificate from its metadata, the audience, the destination, and the validity window.
What it cannot know is which requests this service sent: sso.services.saml_logins checks the
InResponseTo of each answer, and that an assertion is not used twice.
"""

import datetime
import logging
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from saml2 import BINDING_HTTP_POST, BINDING_HTTP_REDIRECT
from saml2.client import Saml2Client
from saml2.config import SPConfig
from saml2.metadata import create_metadata_string
from saml2.response import StatusError, UnsolicitedResponse
from saml2.saml import NAMEID_FORMAT_EMAILADDRESS
from saml2.sigver import SigverError
from saml2.validate import ResponseLifetimeExceed, ToEarly
from saml2.xmldsig import DIGEST_SHA256, SIG_RSA_SHA256

from accounts.models import Organisation
from sso.models import SsoConnection
from sso.selectors import service_urls

logger = logging.getLogger(__name__)

CLOCK_SKEW_SECONDS = 120
# An assertion with no end of validity is remembered (against replay) this long.
DEFAULT_ASSERTION_LIFETIME = datetime.timedelta(hours=1)


class SamlRefused(Exception):
    """The IdP's answer was not accepted. ``reason`` is a code for the log and the tests."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class SamlAnswer:
    """A verified assertion: who the IdP says logged in, and what it says of them."""

    assertion_id: str
    in_response_to: str | None
    expires_at: datetime.datetime
    name_id: str
    # Attribute values by attribute name and by friendly name, both lower case.
    attributes: dict[str, list[str]] = field(default_factory=dict)


def _config(organisation: Organisation, idp_metadata_xml: str = "") -> SPConfig:
    urls = service_urls(organisation)
    key_pair = {"key_file": settings.SSO_SAML_KEY_FILE, "cert_file": settings.SSO_SAML_CERT_FILE}
    config = SPConfig()
    config.load(
        {
            "entityid": urls["entity_id"],
            **key_pair,
            "encryption_keypairs": [key_pair],
            "metadata": {"inline": [idp_metadata_xml]} if idp_metadata_xml else {},
            "accepted_time_diff": CLOCK_SKEW_SECONDS,
            "allow_unknown_attributes": True,
            "delete_tmpfiles": True,
            "service": {
                "sp": {
                    "name": f"PrivacyDesk for {organisation.name}",
                    "endpoints": {
                        "assertion_consumer_service": [(urls["acs_url"], BINDING_HTTP_POST)]
                    },
                    # sso.services.saml_logins checks InResponseTo against the requests we
                    # sent, and refuses an unsolicited answer unless the connection allows it.
                    "allow_unsolicited": True,
                    "authn_requests_signed": True,
                    "signing_algorithm": SIG_RSA_SHA256,
                    "digest_algorithm": DIGEST_SHA256,
                    # Entra ID signs the assertion by default, Okta the response and the
                    # assertion: either signature covers the assertion; neither is refused.
                    "want_assertions_signed": False,
                    "want_response_signed": False,
                    "want_assertions_or_response_signed": True,
                    "name_id_format": [NAMEID_FORMAT_EMAILADDRESS],
                }
            },
        }
    )
    return config


def sp_metadata(organisation: Organisation) -> str:
    """Our SP metadata for this organisation's IdP: entity ID, ACS URL and our certificate."""
    return create_metadata_string(None, config=_config(organisation), sign=False).decode()


def idp_metadata_entity_id(organisation: Organisation, xml: str) -> str:
    """Check IdP metadata and return its entity ID: one IdP, with a login address that takes
    HTTP-Redirect and a signing certificate. ValidationError says what is wrong."""
    try:
        metadata = _config(organisation, xml).metadata
        idps = list(metadata.identity_providers())
    except Exception:
        # pysaml2 raises many kinds of error on malformed XML; none is ours to let through.
        raise ValidationError("That is not valid SAML metadata.") from None
    if len(idps) != 1:
        raise ValidationError("The metadata must describe exactly one identity provider.")
    entity_id = idps[0]
    redirect_logins = metadata.single_sign_on_service(entity_id, BINDING_HTTP_REDIRECT)
    if not redirect_logins:
        raise ValidationError(
            "The identity provider must accept logins with the HTTP-Redirect binding."
        )
    if not metadata.certs(entity_id, "idpsso", "signing"):
        raise ValidationError("The metadata carries no signing certificate.")
    return entity_id


def _client(connection: SsoConnection) -> Saml2Client:
    return Saml2Client(config=_config(connection.organisation, connection.idp_metadata_xml))


def authn_request(connection: SsoConnection) -> tuple[str, str]:
    """A signed AuthnRequest to the IdP: its ID, and the address to send the browser to."""
    request_id, info = _client(connection).prepare_for_authenticate(
        entityid=connection.idp_entity_id,
        binding=BINDING_HTTP_REDIRECT,
        sigalg=SIG_RSA_SHA256,
        digest_alg=DIGEST_SHA256,
    )
    return request_id, dict(info["headers"])["Location"]


def _reason(error: Exception) -> str:
    """A code for why pysaml2 refused the answer; the message itself is never logged."""
    if isinstance(error, SigverError):
        return "signature"
    if isinstance(error, ResponseLifetimeExceed | ToEarly):
        return "expired"
    if isinstance(error, StatusError):
        return "idp_error"
    if isinstance(error, UnsolicitedResponse):
        return "unsolicited"
    if "AudienceRestrictions" in str(error):
        return "audience"
    return "invalid"


def _attributes(response) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for statement in response.assertion.attribute_statement or []:
        for attribute in statement.attribute or []:
            values = [value.text.strip() for value in attribute.attribute_value or [] if value.text]
            for key in {attribute.name, attribute.friendly_name} - {None, ""}:
                found.setdefault(key.lower(), []).extend(values)
    for key, values in (response.ava or {}).items():
        known = found.setdefault(key.lower(), [])
        known.extend(str(value) for value in values if str(value) not in known)
    return found


def authn_response_read(connection: SsoConnection, saml_response: str) -> SamlAnswer:
    """Verify the IdP's answer (the base64 SAMLResponse it posted). SamlRefused says why not."""
    try:
        response = _client(connection).parse_authn_request_response(
            saml_response, BINDING_HTTP_POST, outstanding={}
        )
    except Exception as error:
        raise SamlRefused(_reason(error)) from None
    if response is None or response.assertion is None or response.name_id is None:
        raise SamlRefused("invalid")
    now = datetime.datetime.now(datetime.UTC)
    expires_at = (
        datetime.datetime.fromtimestamp(response.not_on_or_after, datetime.UTC)
        if response.not_on_or_after
        else now + DEFAULT_ASSERTION_LIFETIME
    )
    return SamlAnswer(
        assertion_id=response.assertion.id,
        in_response_to=response.in_response_to or None,
        expires_at=expires_at + datetime.timedelta(seconds=CLOCK_SKEW_SECONDS),
        name_id=(response.name_id.text or "").strip(),
        attributes=_attributes(response),
    )
