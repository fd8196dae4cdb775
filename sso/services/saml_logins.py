"""A SAML login, in three requests.

1. Start: a signed AuthnRequest; its ID is remembered in the cache (for the ACS, which gets no
   session cookie: the IdP's POST is cross-site and the cookie is SameSite=Lax) and in the
   browser's session (to bind the answer to the browser that asked).
2. ACS (the IdP's POST): pysaml2 verifies the answer; it must answer a request we sent for
   this organisation, once (or be IdP-initiated, where the connection allows it); its
   assertion ID is used once. What it vouches for waits in the cache under a one-time token.
3. Completion (a same-site GET, so the session comes with it): the token, which the ACS gave
   the browser in a short-lived cookie (never in the address), is taken once, the request must
   be this browser's, and the person is logged in.
"""

import hashlib
import secrets

from django.core.cache import cache

from sso import saml
from sso.models import SsoConnection
from sso.services import replay
from sso.services.logins import REFUSALS, LoginRefused, Vouched, first_email

REQUEST_SECONDS = 10 * 60
HANDOFF_SECONDS = 2 * 60
# Strictly necessary (cookies migration 0008); lives HANDOFF_SECONDS, on the completion path.
HANDOFF_COOKIE = "pd_sso_handoff"
SESSION_REQUESTS = "sso.saml.requests"
KEEP_REQUESTS = 5
# Where IdPs usually put the address, when the connection names no attribute.
EMAIL_ATTRIBUTES = (
    "email",
    "mail",
    "emailaddress",
    "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress",
    "urn:oid:0.9.2342.19200300.100.1.3",
)
NAME_ATTRIBUTES = (
    "displayname",
    "http://schemas.microsoft.com/identity/claims/displayname",
    "name",
    "cn",
)
GIVEN_NAME_ATTRIBUTES = (
    "givenname",
    "firstname",
    "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/givenname",
)
SURNAME_ATTRIBUTES = (
    "surname",
    "sn",
    "lastname",
    "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/surname",
)


def _key(kind: str, value: str) -> str:
    return f"sso:saml:{kind}:{hashlib.sha256(value.encode()).hexdigest()[:40]}"


def saml_login_start(request, *, connection: SsoConnection, next_url: str) -> str:
    """The IdP address to send the browser to."""
    try:
        request_id, location = saml.authn_request(connection)
    except Exception:
        # Metadata that no longer loads, a key file gone: the IdP cannot be asked, and the
        # person is told so rather than shown a server error.
        raise LoginRefused("request_failed", REFUSALS["unavailable"]) from None
    cache.set(_key("request", request_id), connection.pk, REQUEST_SECONDS)
    pending = dict(request.session.get(SESSION_REQUESTS, {}))
    pending[request_id] = {"connection": connection.pk, "next": next_url}
    request.session[SESSION_REQUESTS] = dict(list(pending.items())[-KEEP_REQUESTS:])
    return location


def _first(attributes: dict[str, list[str]], names) -> str:
    for name in names:
        for value in attributes.get(name.lower(), []):
            if value.strip():
                return value.strip()
    return ""


def vouched_from_saml(connection: SsoConnection, answer: saml.SamlAnswer) -> Vouched:
    attributes = answer.attributes
    if connection.email_attribute:
        email = first_email(attributes.get(connection.email_attribute.lower(), []))
    else:
        candidates = [value for name in EMAIL_ATTRIBUTES for value in attributes.get(name, [])]
        email = first_email([*candidates, answer.name_id])
    full_name = _first(attributes, NAME_ATTRIBUTES) or " ".join(
        part
        for part in (
            _first(attributes, GIVEN_NAME_ATTRIBUTES),
            _first(attributes, SURNAME_ATTRIBUTES),
        )
        if part
    )
    roles = ()
    if connection.role_attribute:
        roles = tuple(attributes.get(connection.role_attribute.lower(), []))
    return Vouched(email=email, full_name=full_name[:150], roles=roles)


def saml_answer_accept(*, connection: SsoConnection, saml_response: str) -> str:
    """Verify the IdP's POSTed answer; the one-time token the completion step takes."""
    try:
        answer = saml.authn_response_read(connection, saml_response)
    except saml.SamlRefused as refused:
        raise LoginRefused(refused.reason) from None
    if not replay.first_use(
        kind="saml",
        connection_id=connection.pk,
        value=answer.assertion_id,
        expires_at=answer.expires_at,
    ):
        raise LoginRefused("replay")
    if answer.in_response_to:
        # A request we sent for this organisation, answered once.
        request_key = _key("request", answer.in_response_to)
        if cache.get(request_key) != connection.pk or not cache.delete(request_key):
            raise LoginRefused("unsolicited")
    elif not connection.allow_idp_initiated:
        raise LoginRefused("idp_initiated")
    vouched = vouched_from_saml(connection, answer)
    token = secrets.token_urlsafe(32)
    cache.set(
        _key("handoff", token),
        {
            "connection": connection.pk,
            "in_response_to": answer.in_response_to,
            "email": vouched.email,
            "full_name": vouched.full_name,
            "roles": list(vouched.roles),
        },
        HANDOFF_SECONDS,
    )
    return token


def saml_handoff_take(request, *, connection: SsoConnection, token: str) -> tuple[Vouched, str]:
    """What the ACS verified, taken once by the browser the request was sent from; and where
    that browser was going."""
    key = _key("handoff", token or "")
    handoff = cache.get(key)
    if not handoff or handoff["connection"] != connection.pk or not cache.delete(key):
        raise LoginRefused("handoff")
    next_url = ""
    if handoff["in_response_to"]:
        pending = dict(request.session.get(SESSION_REQUESTS, {}))
        started = pending.pop(handoff["in_response_to"], None)
        request.session[SESSION_REQUESTS] = pending
        if started is None or started["connection"] != connection.pk:
            # Started in another browser: someone else's answer must not log this one in.
            raise LoginRefused("other_browser")
        next_url = started["next"]
    vouched = Vouched(
        email=handoff["email"], full_name=handoff["full_name"], roles=tuple(handoff["roles"])
    )
    return vouched, next_url
