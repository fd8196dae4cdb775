"""An OpenID Connect login: the start keeps state, nonce and PKCE verifier in the session;
the callback takes them once, exchanges the code and verifies the ID token (sso.oidc); each
nonce is accepted once."""

import datetime
import time

from sso import oidc
from sso.http import FetchError
from sso.models import SsoConnection
from sso.services import replay
from sso.services.logins import REFUSALS, LoginRefused, Vouched, first_email

SESSION_STATES = "sso.oidc.states"
STATE_SECONDS = 10 * 60
KEEP_STATES = 5


def oidc_login_start(request, *, connection: SsoConnection, next_url: str) -> str:
    """The issuer's authorization address to send the browser to."""
    try:
        start = oidc.authorization_start(connection)
    except FetchError:
        raise LoginRefused("idp_unreachable") from None
    except oidc.OidcRefused as refused:
        raise LoginRefused(refused.reason, REFUSALS["unavailable"]) from None
    states = dict(request.session.get(SESSION_STATES, {}))
    states[start.state] = {
        "connection": connection.pk,
        "nonce": start.nonce,
        "code_verifier": start.code_verifier,
        "next": next_url,
        "at": int(time.time()),
    }
    request.session[SESSION_STATES] = dict(list(states.items())[-KEEP_STATES:])
    return start.url


def vouched_from_claims(connection: SsoConnection, claims: dict) -> Vouched:
    email_claim = connection.email_attribute or "email"
    if str(claims.get("email_verified")).lower() == "false" and email_claim == "email":
        # The issuer says itself that it has not checked this address (some say it as the
        # string "false", which is truthy).
        email = ""
    else:
        value = claims.get(email_claim)
        email = first_email(value if isinstance(value, list) else [value or ""])
    full_name = str(claims.get("name") or "").strip() or " ".join(
        str(claims[part]).strip() for part in ("given_name", "family_name") if claims.get(part)
    )
    roles: tuple[str, ...] = ()
    if connection.role_attribute:
        value = claims.get(connection.role_attribute)
        if isinstance(value, list):
            roles = tuple(str(v) for v in value)
        elif value is not None:
            roles = (str(value),)
    return Vouched(email=email, full_name=full_name[:150], roles=roles)


def oidc_callback_accept(
    request, *, connection: SsoConnection, state: str, code: str, error: str
) -> tuple[Vouched, str]:
    """Verify the issuer's answer for the login this browser started; what it vouches for, and
    where the browser was going."""
    states = dict(request.session.get(SESSION_STATES, {}))
    started = states.pop(state or "", None)
    request.session[SESSION_STATES] = states
    if (
        started is None
        or started["connection"] != connection.pk
        or time.time() - started["at"] > STATE_SECONDS
    ):
        raise LoginRefused("state")
    if error:
        raise LoginRefused("idp_error")
    if not code:
        raise LoginRefused("invalid")
    try:
        id_token = oidc.code_exchange(connection, code=code, code_verifier=started["code_verifier"])
        claims = oidc.id_token_claims(connection, id_token, nonce=started["nonce"])
    except oidc.OidcRefused as refused:
        raise LoginRefused(refused.reason) from None
    except FetchError:
        raise LoginRefused("idp_unreachable") from None
    expires_at = datetime.datetime.fromtimestamp(claims["exp"] + oidc.LEEWAY_SECONDS, datetime.UTC)
    if not replay.first_use(
        kind="oidc", connection_id=connection.pk, value=claims["nonce"], expires_at=expires_at
    ):
        raise LoginRefused("replay")
    return vouched_from_claims(connection, claims), started["next"]
