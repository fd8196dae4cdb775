"""SCIM requests authenticate with ``Authorization: Bearer <token>``, a token of one
organisation (scim.models.ScimToken).

Failed presentations count against the client IP in the same window as API keys
(accounts.authentication): at the limit security opens an investigation and that IP gets 429
until the window ends, without the token being looked at. Nothing here logs a token.
"""

from accounts.authentication import ApiKeyPrincipal, CredentialsBlocked, credential_verify
from accounts.models import Organisation
from common.client_ip import client_ip
from scim.errors import ScimError
from scim.models import ScimToken

SCHEME = "Bearer"
CHALLENGE = 'Bearer realm="PrivacyDesk SCIM"'
# A token is 41 characters (prefix, dot, secret): anything much longer is refused unhashed.
MAX_TOKEN_LENGTH = 200
INVALID_TOKEN = "The bearer token is missing, revoked or not valid."  # noqa: S105


class ScimPrincipal(ApiKeyPrincipal):
    """The organisation, acting through its SCIM token. Like an API key it is no user row and
    acts on members only (accounts.services.users.require_key_acts_on_members): a leaked token
    cannot suspend, re-address or delete the client admins who can revoke it."""

    def __init__(self, token: ScimToken):
        self.api_key = token
        self.organisation: Organisation = token.organisation
        self.organisation_id: int = token.organisation_id
        self.scopes = frozenset()

    def get_username(self) -> str:
        return f"scim-token:{self.api_key.prefix} ({self.organisation.slug})"

    @property
    def full_name(self) -> str:
        return f"the SCIM token “{self.api_key.name}” of {self.organisation}"


def presented_token(request) -> str | None:
    """The Bearer token of the Authorization header; "" if malformed, None if there is none."""
    header = request.META.get("HTTP_AUTHORIZATION", "")
    if not header:
        return None
    scheme, _, token = header.strip().partition(" ")
    if scheme.lower() != SCHEME.lower():
        return ""
    token = token.strip()
    if not token or len(token) > MAX_TOKEN_LENGTH or not token.isascii() or " " in token:
        return ""
    return token


def scim_authenticate(request) -> ScimPrincipal:
    """The principal of a request's token, or a ScimError: 401, or 429 while the client IP is
    past the failure limit. A token verified before is remembered as API keys are
    (accounts.api_key_cache): no query, one cache round trip."""
    plain = presented_token(request)
    if plain is None:
        raise ScimError(401, INVALID_TOKEN, headers={"WWW-Authenticate": CHALLENGE})
    try:
        token = credential_verify(ScimToken, plain, client_ip(request) or "").credential
    except CredentialsBlocked as blocked:
        raise ScimError(
            429,
            "Too many failed authentications from this address. Try again later.",
            headers={"Retry-After": str(blocked.wait)},
        ) from None
    if token is None:
        raise ScimError(401, INVALID_TOKEN, headers={"WWW-Authenticate": CHALLENGE})
    return ScimPrincipal(token)
