"""OpenID Connect through authlib (its OAuth 2.0 client: PKCE S256, the token request) and
joserfc (the ID token's signature against the issuer's published keys, and its claims).

The authorization code flow: the browser goes to the issuer with a fresh state, nonce and
PKCE challenge, kept in the session; it comes back with a code, which is exchanged once for
an ID token; the token is accepted only if the issuer's key signed it for our client, it has
not expired, and it carries the session's nonce.
"""

import hashlib
import secrets
from dataclasses import dataclass

from authlib.integrations.requests_client import OAuth2Session
from cryptography.fernet import InvalidToken
from django.conf import settings
from django.core.cache import cache
from joserfc import jwt
from joserfc.errors import ExpiredTokenError, InvalidKeyIdError, JoseError
from joserfc.jwk import KeySet

from common.outbound import outbound_session_guard
from recipients.secrets import secret_decrypt
from sso.http import TIMEOUT, FetchError, fetch_json, url_problem
from sso.models import SsoConnection
from sso.selectors import service_urls

SCOPES = "openid email profile"
LEEWAY_SECONDS = 120
# Asymmetric signatures only: "none" and the HMAC algorithms (keyed by a secret the client
# holds too) are refused.
ALGORITHMS = ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512"]
DISCOVERY_CACHE_SECONDS = 60 * 60
KEYS_CACHE_SECONDS = 60 * 60
# A key ID not in the cached set makes us fetch the set again, at most this often.
KEYS_REFRESH_SECONDS = 60


class OidcRefused(Exception):
    """The issuer's answer was not accepted. ``reason`` is a code for the log and the tests."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class AuthorizationStart:
    url: str
    state: str
    nonce: str
    code_verifier: str


def _cache_key(kind: str, url: str) -> str:
    return f"sso:oidc:{kind}:{hashlib.sha256(url.encode()).hexdigest()[:40]}"


def discovery(issuer: str, *, fresh: bool = False) -> dict:
    """The issuer's discovery document, checked and cached for an hour. FetchError if none."""
    issuer = issuer.rstrip("/")
    key = _cache_key("discovery", issuer)
    document = None if fresh else cache.get(key)
    if document is None:
        document = fetch_json(f"{issuer}/.well-known/openid-configuration")
        if str(document.get("issuer", "")).rstrip("/") != issuer:
            raise FetchError("The discovery document names another issuer.")
        for name in ("authorization_endpoint", "token_endpoint", "jwks_uri"):
            value = document.get(name)
            if not isinstance(value, str) or url_problem(value):
                raise FetchError(f"The discovery document has no usable {name}.")
        cache.set(key, document, DISCOVERY_CACHE_SECONDS)
    return document


def _keys(jwks_uri: str, *, refresh: bool = False) -> KeySet:
    key = _cache_key("jwks", jwks_uri)
    document = None if refresh else cache.get(key)
    if document is None:
        document = fetch_json(jwks_uri)
        cache.set(key, document, KEYS_CACHE_SECONDS)
    try:
        return KeySet.import_key_set(document)
    except (JoseError, ValueError, TypeError, KeyError):
        raise FetchError("The issuer's key set could not be read.") from None


def _client_secret(connection: SsoConnection) -> str | None:
    if not connection.oidc_client_secret_encrypted:
        return None
    try:
        return secret_decrypt(connection.oidc_client_secret_encrypted)
    except InvalidToken:
        # WEBHOOK_SECRET_KEYS no longer holds the key it was stored with.
        raise OidcRefused("secret_unreadable") from None


def _session(connection: SsoConnection, document: dict) -> OAuth2Session:
    methods = document.get("token_endpoint_auth_methods_supported") or ["client_secret_basic"]
    session = OAuth2Session(
        client_id=connection.oidc_client_id,
        client_secret=_client_secret(connection),
        scope=SCOPES,
        redirect_uri=service_urls(connection.organisation)["redirect_uri"],
        code_challenge_method="S256",
        token_endpoint_auth_method=(
            "client_secret_basic" if "client_secret_basic" in methods else "client_secret_post"
        ),
    )
    outbound_session_guard(
        session, debug=settings.DEBUG, allow_loopback=settings.SSO_ALLOW_HTTP_LOOPBACK
    )
    return session


def authorization_start(connection: SsoConnection) -> AuthorizationStart:
    """Where to send the browser, and the state, nonce and PKCE verifier to keep until it
    comes back."""
    document = discovery(connection.oidc_issuer)
    state, nonce = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    code_verifier = secrets.token_urlsafe(64)
    url, _ = _session(connection, document).create_authorization_url(
        document["authorization_endpoint"], state=state, nonce=nonce, code_verifier=code_verifier
    )
    return AuthorizationStart(url=url, state=state, nonce=nonce, code_verifier=code_verifier)


def code_exchange(connection: SsoConnection, *, code: str, code_verifier: str) -> str:
    """Exchange the code (with the PKCE verifier) for the ID token."""
    document = discovery(connection.oidc_issuer)
    try:
        token = _session(connection, document).fetch_token(
            document["token_endpoint"],
            grant_type="authorization_code",
            code=code,
            code_verifier=code_verifier,
            timeout=TIMEOUT,
        )
    except Exception:
        # authlib raises OAuthError for an error answer; requests, JSON or anything else the
        # issuer's answer may cause is a refusal too, never a server error.
        raise OidcRefused("token_request") from None
    id_token = token.get("id_token")
    if not isinstance(id_token, str):
        raise OidcRefused("no_id_token")
    return id_token


def _decode(id_token: str, jwks_uri: str):
    try:
        return jwt.decode(id_token, _keys(jwks_uri), algorithms=ALGORITHMS)
    except InvalidKeyIdError:
        # The issuer may have rotated its keys since we cached them: fetch them once more.
        guard = _cache_key("jwks-refreshed", jwks_uri)
        if not cache.add(guard, True, KEYS_REFRESH_SECONDS):
            raise
        return jwt.decode(id_token, _keys(jwks_uri, refresh=True), algorithms=ALGORITHMS)


def id_token_claims(connection: SsoConnection, id_token: str, *, nonce: str) -> dict:
    """The ID token's claims, once its signature, issuer, audience, expiry and nonce hold."""
    document = discovery(connection.oidc_issuer)
    try:
        token = _decode(id_token, document["jwks_uri"])
    except FetchError:
        raise OidcRefused("keys_unavailable") from None
    except JoseError:
        raise OidcRefused("signature") from None
    except (ValueError, TypeError, KeyError):
        raise OidcRefused("invalid") from None
    claims = token.claims
    registry = jwt.JWTClaimsRegistry(
        leeway=LEEWAY_SECONDS,
        iss={"essential": True, "values": [document["issuer"]]},
        aud={"essential": True, "values": [connection.oidc_client_id]},
        sub={"essential": True},
        exp={"essential": True},
        iat={"essential": True},
    )
    try:
        registry.validate(claims)
    except ExpiredTokenError:
        raise OidcRefused("expired") from None
    except JoseError as error:
        claim = getattr(error, "claim", "")
        raise OidcRefused("audience" if claim == "aud" else "invalid") from None
    audiences = claims["aud"] if isinstance(claims["aud"], list) else [claims["aud"]]
    if len(audiences) > 1 and claims.get("azp") != connection.oidc_client_id:
        raise OidcRefused("audience")
    if not secrets.compare_digest(str(claims.get("nonce", "")), nonce):
        raise OidcRefused("nonce")
    return claims
