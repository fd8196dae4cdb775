"""The functionality group's promise: recognise a returning visitor and greet them by name.

After a successful login, and only with functionality consent, the visitor's own browser keeps
the e-mail address they logged in with and their first name (signed, so the site only ever
shows what it wrote itself). The login page fills in the address and greets them. Nothing is
remembered after a failed login, so the cookie never tells anyone which addresses have
accounts. Withdrawn consent, or a Global Privacy Control signal not overridden on the settings
page, deletes the cookie (cookies.middleware).
"""

from dataclasses import dataclass
from datetime import timedelta

from django.core import signing
from django.http import HttpRequest, HttpResponseBase

from cookies.catalogue import FUNCTIONALITY, REMEMBER_COOKIE
from cookies.consent import consent_of, cookie_flags

SALT = "cookies.remember"
LIFETIME = timedelta(days=90)
MAX_EMAIL = 254
MAX_NAME = 150


@dataclass(frozen=True)
class RememberedVisitor:
    email: str
    name: str


def remembered_visitor(request: HttpRequest) -> RememberedVisitor | None:
    """Who this browser last logged in as, while functionality cookies are allowed."""
    raw = request.COOKIES.get(REMEMBER_COOKIE)
    if not raw or not consent_of(request).allows(FUNCTIONALITY):
        return None
    try:
        data = signing.loads(raw, salt=SALT, max_age=LIFETIME)
    except signing.BadSignature:
        return None
    email, name = (data.get("email"), data.get("name")) if isinstance(data, dict) else (None, None)
    if not (isinstance(email, str) and isinstance(name, str)):
        return None
    return RememberedVisitor(email=email[:MAX_EMAIL], name=name[:MAX_NAME])


def remember_visitor(
    response: HttpResponseBase, request: HttpRequest, *, email: str, name: str
) -> None:
    """Remember a visitor who has just logged in, if they allow functionality cookies."""
    if not consent_of(request).allows(FUNCTIONALITY):
        return
    value = signing.dumps({"email": email[:MAX_EMAIL], "name": name[:MAX_NAME]}, salt=SALT)
    response.set_cookie(
        REMEMBER_COOKIE, value, max_age=int(LIFETIME.total_seconds()), **cookie_flags()
    )


def forget_visitor(response: HttpResponseBase) -> None:
    response.delete_cookie(REMEMBER_COOKIE, samesite="Lax")
