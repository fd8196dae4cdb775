"""REST authentication by API key: ``Authorization: Api-Key <key>``.

django-axes guards only ``authenticate()`` with a request, so API keys never reach it: failed
key authentications are counted here, per client IP, in a fixed window in the cache. When one
IP reaches ``API_KEY_FAILURE_LIMIT`` failures, ``api_key_failures_reached_limit`` is sent once
for that window (security opens an investigation: accounts/signals.py) and, until the window
ends, every request from that IP that presents a key answers 429 without the key being looked
at.

Nothing here logs a key, or any part of one.
"""

import logging
import math
import time
from datetime import datetime, timedelta
from typing import NamedTuple

from django.conf import settings
from django.core.cache import cache
from django.db.models import Q
from django.utils import timezone
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header

from accounts.api_key_cache import (
    REVOKED,
    credential_cache_entry,
    credential_recall,
    credential_remember,
)
from accounts.models import Organisation, OrganisationAPIKey
from accounts.signals import api_key_failures_reached_limit
from common.client_ip import client_ip
from common.ratelimit import get_many_and_window_hit, window_hit
from common.throttles import UserRateThrottle

logger = logging.getLogger(__name__)

KEYWORD = "Api-Key"
# Keys made by djangorestframework-api-key are 41 characters; anything much longer is not one,
# and is refused before it costs a hash.
MAX_KEY_LENGTH = 200
LAST_USED_RESOLUTION = timedelta(minutes=1)
INVALID_KEY_MESSAGE = "The API key is not valid."


class ApiKeyPrincipal:
    """Who calls with an API key: the key's organisation, acting through that key.

    Not a User row: ``pk`` is None and ``is_api_key`` is True, so a view can tell a key from a
    session user (``request.auth`` is the key as well). The services accept it as ``by``; the
    audit trail names it with ``get_username()``.
    """

    is_api_key = True
    is_authenticated = True
    is_anonymous = False
    is_active = True
    is_superuser = False
    is_staff = False
    is_company_staff = False
    is_client_admin = False
    role = None
    pk = None
    id = None

    def __init__(self, api_key: OrganisationAPIKey, *, rate_counted=None):
        self.api_key = api_key
        # This request's count at the API's per-user rate, if the key was counted as it was
        # verified: (count, seconds the window has left).
        self.rate_counted = rate_counted
        self.organisation: Organisation = api_key.organisation
        self.organisation_id: int = api_key.organisation_id
        self.scopes = frozenset(api_key.scopes)

    def __str__(self) -> str:
        return self.full_name

    def __repr__(self) -> str:
        return f"<ApiKeyPrincipal {self.get_username()}>"

    def has_scope(self, scope: str) -> bool:
        return scope in self.scopes

    def get_username(self) -> str:
        return f"api-key:{self.api_key.prefix} ({self.organisation.slug})"

    @property
    def full_name(self) -> str:
        return f"the API key “{self.api_key.name}” of {self.organisation}"


# --- Failure accounting ---------------------------------------------------------


def _failure_limit() -> int:
    return settings.API_KEY_FAILURE_LIMIT


def _failure_window() -> int:
    return settings.API_KEY_FAILURE_WINDOW_SECONDS


def _failures_key(ip_address: str) -> str:
    return f"api-key-failures:{ip_address}"


def _blocked_until_key(ip_address: str) -> str:
    return f"api-key-failures-until:{ip_address}"


def _blocked_for(ip_address: str) -> int:
    """Seconds until a blocked ``ip_address`` may present keys again."""
    until = cache.get(_blocked_until_key(ip_address)) or time.time() + _failure_window()
    return max(1, math.ceil(until - time.time()))


def api_key_failure_count(ip_address: str) -> int:
    """Count one failed key authentication from ``ip_address`` in its window; returns the count.

    The window is fixed: it starts at the first failure and the count resets when it ends.
    Only the failure that makes the count reach the limit reports the burst, so the burst is
    reported once per window even with many processes (the count is one atomic step).
    """
    count, seconds_left = window_hit(_failures_key(ip_address), _failure_window())
    if count == _failure_limit():
        cache.set(_blocked_until_key(ip_address), time.time() + seconds_left, timeout=seconds_left)
        try:
            api_key_failures_reached_limit.send(
                sender=ApiKeyAuthentication, ip_address=ip_address, failures=count
            )
        except Exception:
            # The caller still gets its 401; the failure to open an investigation is an error
            # for us to see (the log line holds no key).
            logger.exception("Could not report a burst of API-key failures")
    return count


# --- Authentication -------------------------------------------------------------


def presented_key(request) -> str | None:
    """The key of an ``Api-Key`` Authorization header; "" if malformed, None if there is none."""
    parts = get_authorization_header(request).split()
    if not parts or parts[0].lower() != KEYWORD.lower().encode():
        return None
    if len(parts) != 2 or len(parts[1]) > MAX_KEY_LENGTH:
        return ""
    try:
        return parts[1].decode("ascii")
    except UnicodeDecodeError:
        return ""


def usable_credential(model, plain: str):
    """The row of ``model`` (an API key model of djangorestframework-api-key with an
    ``organisation``: OrganisationAPIKey, a SCIM token) that ``plain`` is, if it may be used:
    not revoked, not expired, of an active organisation. None otherwise."""
    if not plain:
        return None
    prefix, _, _ = plain.partition(".")
    credential = (
        model.objects.select_related("organisation").filter(prefix=prefix, revoked=False).first()
    )
    if credential is None or not credential_usable(credential) or not credential.is_valid(plain):
        return None
    return credential


def credential_usable(credential) -> bool:
    """Not expired, of an active organisation (a revoked one is never found, nor remembered)."""
    return (
        not credential.has_expired and credential.organisation.status == Organisation.Status.ACTIVE
    )


# When this process last recorded each credential's use ((model, pk) -> time): a remembered
# API key carries the last_used_at of when it was remembered, so without this every request
# past its first minute would send an UPDATE that changes nothing.
_last_touched: dict[tuple[str, object], datetime] = {}


def credential_touch(credential) -> None:
    """Record when a key (an API key, a SCIM token: any row with ``last_used_at``) was last
    used, at most once a minute (one UPDATE, or none)."""
    now = timezone.now()
    touched = (credential._meta.label, credential.pk)
    last = max(filter(None, (credential.last_used_at, _last_touched.get(touched))), default=None)
    if last is not None and now - last < LAST_USED_RESOLUTION:
        return
    # Conditional, so that concurrent requests in the same minute write once between them.
    type(credential)._default_manager.filter(pk=credential.pk).filter(
        Q(last_used_at__isnull=True) | Q(last_used_at__lt=now - LAST_USED_RESOLUTION)
    ).update(last_used_at=now)
    credential.last_used_at = _last_touched[touched] = now


class CredentialsBlocked(Exception):
    """The client IP is past its failure limit: ``wait`` seconds until it may present
    credentials again."""

    def __init__(self, wait: int):
        super().__init__(wait)
        self.wait = wait


class Verified(NamedTuple):
    """What ``credential_verify`` found: the usable credential (None if there is none), and
    this request's count in its rate window, (count, seconds the window has left), when it was
    asked to count one."""

    credential: object | None
    counted: tuple[int, int] | None


def credential_verify(model, plain: str, ip_address: str, *, rate=None) -> Verified:
    """The usable credential of ``model`` (an API key, a SCIM token) that ``plain`` is, its use
    recorded; none, the failure counted against ``ip_address``, if there is none.

    Raises CredentialsBlocked while ``ip_address`` is past the failure limit, without looking
    at ``plain``. The failure count and the credential, if remembered (accounts.api_key_cache),
    are read in one cache round trip; only a credential not remembered is looked up in the
    database. ``rate``, if given, names the rate window of the presented secret's hash (a
    function giving a bucket and its window in seconds, or None): the request is counted there
    in the same round trip.
    """
    hashed = model.objects.key_generator.hash(plain) if plain else ""
    failures, entry = _failures_key(ip_address), credential_cache_entry(model, hashed)
    keys = [failures, entry] if entry else [failures]
    window = rate(hashed) if rate is not None and hashed else None
    if window is None:
        found, counted = cache.get_many(keys), None
    else:
        found, counted = get_many_and_window_hit(keys, *window)
    if (found.get(failures) or 0) >= _failure_limit():
        raise CredentialsBlocked(_blocked_for(ip_address))
    remembered = credential_recall(model, found.get(entry)) if entry else None
    if remembered is None:
        credential = usable_credential(model, plain)
        if credential is not None:
            credential_remember(credential)
    elif remembered != REVOKED and credential_usable(remembered):
        credential = remembered
    else:
        credential = None
    if credential is None:
        api_key_failure_count(ip_address)
    else:
        credential_touch(credential)
    return Verified(credential, counted)


class ApiKeyAuthentication(BaseAuthentication):
    """``Authorization: Api-Key <key>`` → ``(ApiKeyPrincipal, OrganisationAPIKey)``.

    A request without that header is left to the next authentication class (the session).
    The key's request is counted at the API's per-user rate (UserOrKeyRateThrottle) in the
    same cache round trip as the key's lookup.
    """

    def authenticate(self, request):
        plain = presented_key(request)
        if plain is None:
            return None
        try:
            api_key, counted = credential_verify(
                OrganisationAPIKey, plain, client_ip(request) or "", rate=key_rate
            )
        except CredentialsBlocked as blocked:
            raise exceptions.Throttled(wait=blocked.wait) from None
        if api_key is None:
            raise exceptions.AuthenticationFailed(INVALID_KEY_MESSAGE)
        return ApiKeyPrincipal(api_key, rate_counted=counted), api_key

    def authenticate_header(self, request):
        # A caller who presented a key and failed gets 401 with a challenge; a caller who
        # presented nothing keeps the session's 403, as browsers expect.
        return KEYWORD if presented_key(request) is not None else None


def key_rate(hashed_key: str) -> tuple[str, int] | None:
    """The bucket a presented key (its hash) is counted in at the API's per-user rate, and its
    window in seconds; None when that rate is off.

    The bucket is named by the key's hash, not its prefix: a key is counted before it is
    verified, and a caller who knows only a prefix must not use up that key's rate.
    """
    throttle = UserOrKeyRateThrottle()
    if throttle.rate is None:
        return None
    return throttle.key_bucket(hashed_key), throttle.duration


class UserOrKeyRateThrottle(UserRateThrottle):
    """DRF's per-user rate, with one bucket per API key (a key's principal has no pk).

    An API key's request was counted as the key was verified (ApiKeyAuthentication); that
    count decides here, without another round trip. Every view the API's keys reach has this
    throttle (DEFAULT_THROTTLE_CLASSES), so no request is counted that no throttle reads.
    """

    def key_bucket(self, hashed_key: str) -> str:
        ident = f"key-{hashed_key.partition('$$')[2][:32] or hashed_key[-32:]}"
        return self.cache_format % {"scope": self.scope, "ident": ident}

    def allow_request(self, request, view) -> bool:
        counted = getattr(request.user, "rate_counted", None)
        if counted is None or self.rate is None:
            return super().allow_request(request, view)
        count, self.seconds_left = counted
        return count <= self.num_requests

    def get_cache_key(self, request, view):
        principal = request.user
        if getattr(principal, "is_api_key", False):
            return self.key_bucket(principal.api_key.hashed_key)
        return super().get_cache_key(request, view)


class ApiKeyAuthenticationScheme(OpenApiAuthenticationExtension):
    target_class = "accounts.authentication.ApiKeyAuthentication"
    name = "ApiKeyAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "`Api-Key <key>`: a key made in the client admin console.",
        }
