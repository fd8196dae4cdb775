"""A visitor's cookie consent, as the consent cookie states it, judged against the catalogue.

The consent cookie is django-cookie-consent's (its name, lifetime, flags and its
"group=version|group=-1" format, read and written with its helpers). We add pairs to it:
``v``, the cookie-policy version the decision was made under, ``id``, a random visitor id
whose keyed hash is the visitor id in the consent log, and ``gpc=1`` when the browser sent a
Global Privacy Control signal with the decision. A decision made under an older policy
version no longer counts: every optional group is off and the banner asks again.

Global Privacy Control (the ``Sec-GPC: 1`` request header) is the visitor's refusal of every
optional group. Only a decision made while the browser was sending it outranks it: the
visitor chose knowing the signal (the settings page explains it). A choice made before the
browser started sending the signal is set aside while it sends it.
"""

import re
import secrets
from dataclasses import dataclass

from cookie_consent.conf import settings as consent_settings
from cookie_consent.util import parse_cookie_str, set_cookie_dict_to_response
from django.conf import settings
from django.http import HttpRequest, HttpResponseBase
from django.utils.crypto import salted_hmac

from cookies.catalogue import FUNCTIONALITY, THEME_COOKIE, THEMES, Catalogue, catalogue_get

VERSION_KEY = "v"
VISITOR_KEY = "id"
GPC_KEY = "gpc"
VISITOR_TOKEN = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
DECLINED = consent_settings.COOKIE_CONSENT_DECLINE


@dataclass(frozen=True)
class ConsentState:
    accepted: frozenset[str]
    declined: frozenset[str]
    # True when every optional group has an answer given under the current policy version
    # (and, while the browser sends Global Privacy Control, given with the signal).
    decided: bool
    # The version the cookie's decision was made under (None: no decision, or unreadable).
    policy_version: int | None
    visitor_token: str | None
    # The browser sends the Global Privacy Control signal with this request.
    gpc: bool = False

    @property
    def ask(self) -> bool:
        """Show the banner that asks for a choice: not while the signal answers for the visitor."""
        return not self.decided and not self.gpc

    @property
    def gpc_refuses(self) -> bool:
        """The Global Privacy Control signal stands for the visitor's choice: no optional group."""
        return self.gpc and not self.decided

    def allows(self, varname: str) -> bool:
        return varname in self.accepted


UNDECIDED = ConsentState(frozenset(), frozenset(), False, None, None)
UNDECIDED_WITH_GPC = ConsentState(frozenset(), frozenset(), False, None, None, gpc=True)


def gpc_signal(request: HttpRequest) -> bool:
    """The browser sends Global Privacy Control: the person refuses tracking and sharing."""
    return request.headers.get("Sec-GPC", "").strip() == "1"


def _state_from(values: dict[str, str], catalogue: Catalogue, *, gpc: bool) -> ConsentState:
    token = values.get(VISITOR_KEY, "")
    token = token if VISITOR_TOKEN.match(token) else None
    try:
        version = int(values.get(VERSION_KEY, ""))
    except ValueError:
        version = None
    outdated = version is None or version != catalogue.policy_version
    if outdated or (gpc and values.get(GPC_KEY) != "1"):
        return ConsentState(frozenset(), frozenset(), False, version, token, gpc)
    accepted, declined = set(), set()
    for group in catalogue.optional:
        value = values.get(group.varname)
        if value == DECLINED:
            declined.add(group.varname)
        # django-cookie-consent's rule: an acceptance counts if it is at least as new as the
        # group's newest cookie (ISO timestamps compare as strings).
        elif value is not None and value >= group.version:
            accepted.add(group.varname)
    decided = len(accepted) + len(declined) == len(catalogue.optional)
    if gpc and not decided:
        # A group gained a cookie since the opt-in: the signal refuses everything until the
        # visitor chooses again, as the banner and the settings page then say.
        accepted = set()
    return ConsentState(frozenset(accepted), frozenset(declined), decided, version, token, gpc)


def consent_of(request: HttpRequest) -> ConsentState:
    """The request's consent, worked out once per request."""
    state = getattr(request, "_cookie_consent_state", None)
    if state is None:
        raw = request.COOKIES.get(consent_settings.COOKIE_CONSENT_NAME, "")
        gpc = gpc_signal(request)
        if raw:
            state = _state_from(parse_cookie_str(raw), catalogue_get(), gpc=gpc)
        else:
            # No decision yet needs no catalogue: nothing is allowed and the banner asks.
            state = UNDECIDED_WITH_GPC if gpc else UNDECIDED
        request._cookie_consent_state = state
    return state


def consent_of_response(
    request: HttpRequest, response: HttpResponseBase, catalogue: Catalogue
) -> ConsentState | None:
    """The consent the response is about to set, if it sets the consent cookie."""
    morsel = response.cookies.get(consent_settings.COOKIE_CONSENT_NAME)
    if morsel is None or is_deletion(morsel):
        return None
    return _state_from(parse_cookie_str(morsel.value), catalogue, gpc=gpc_signal(request))


def is_deletion(morsel) -> bool:
    """Django's delete_cookie: an empty value that expires at once. Always allowed through."""
    return str(morsel["max-age"]) == "0" or morsel["expires"].startswith("Thu, 01 Jan 1970")


def new_visitor_token() -> str:
    return secrets.token_urlsafe(18)


def visitor_hash(token: str) -> str:
    """The visitor id kept in the consent log: useless without the secret key and the cookie."""
    return salted_hmac("cookies.consent.visitor", token, algorithm="sha256").hexdigest()


def consent_cookie_value(
    *, accepted: set[str], catalogue: Catalogue, visitor_token: str, gpc: bool = False
) -> dict[str, str]:
    values = {
        group.varname: group.version if group.varname in accepted else DECLINED
        for group in catalogue.optional
    }
    values[VERSION_KEY] = str(catalogue.policy_version)
    values[VISITOR_KEY] = visitor_token
    if gpc:
        values[GPC_KEY] = "1"
    return values


def consent_cookie_write(
    response: HttpResponseBase,
    *,
    accepted: set[str],
    catalogue: Catalogue,
    visitor_token: str,
    gpc: bool,
) -> None:
    values = consent_cookie_value(
        accepted=accepted, catalogue=catalogue, visitor_token=visitor_token, gpc=gpc
    )
    set_cookie_dict_to_response(response, values)


def cookie_flags() -> dict:
    """Every cookie we set ourselves: HTTPS only when the site is, out of scripts' reach."""
    return {"secure": settings.HTTPS, "httponly": True, "samesite": "Lax"}


def current_theme(request: HttpRequest) -> str:
    """The remembered theme, only while functionality cookies are allowed."""
    if not consent_of(request).allows(FUNCTIONALITY):
        return "standard"
    theme = request.COOKIES.get(THEME_COOKIE, "standard")
    return theme if theme in dict(THEMES) else "standard"
