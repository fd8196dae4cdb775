"""A lower bound for bench.request_floor: the users API's first page, with an API key, read by
the project's own functions but without Django's handler, its middleware or DRF.

It does the read's own work and nothing else: the key checked and the request counted at the
API's rate (one Redis round trip), the key's scope, the compiled listing (one statement), the
rows shown as the API shows them, and the usage event handed to the buffer after the response,
as the project does. The bench checks that its body is the API's, byte for byte, before it
times it. What it leaves out is everything a served request must also pass (host validation,
the control-character and cookie checks, the session, the error handling and the security
headers' middleware), so it is never to be served: it shows what the read costs when the
framework costs nothing, and so what share of hello's rate the read could reach on this
machine at best.
"""

import os
import time

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django.setup()

import orjson  # noqa: E402
from django.core import signals  # noqa: E402
from django.core.handlers.wsgi import WSGIRequest  # noqa: E402

from accounts.api_selectors import users_listed_by_api  # noqa: E402
from accounts.authentication import (  # noqa: E402
    ApiKeyPrincipal,
    UserOrKeyRateThrottle,
    credential_verify,
    key_rate,
)
from accounts.models import ApiScope, OrganisationAPIKey  # noqa: E402
from accounts.serializers import listed_users  # noqa: E402
from common.api import Pagination  # noqa: E402
from usage.buffer import buffer_push  # noqa: E402
from usage.middleware import _hash, purpose_for, request_event  # noqa: E402
from usage.models import Action  # noqa: E402

PREFIX = "Api-Key "
FEATURE = "user-list"  # the view name the project records
PAGE_ROWS = Pagination.page_size
# The project's answer's headers but the date-bound Expires (the body is what is compared).
HEADERS = [
    ("Content-Type", "application/json"),
    ("Allow", "GET, POST, HEAD, OPTIONS"),
    ("X-Frame-Options", "DENY"),
    ("Vary", "Cookie"),
    ("Cache-Control", "max-age=0, no-cache, no-store, must-revalidate, private"),
    (
        "Content-Security-Policy",
        "default-src 'none'; form-action 'self'; script-src 'self'; img-src 'self'; "
        "font-src 'self'; connect-src 'self'; style-src 'self'; base-uri 'none'; "
        "object-src 'none'; frame-ancestors 'none'; manifest-src 'self'",
    ),
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "same-origin"),
    ("Cross-Origin-Opener-Policy", "same-origin"),
]
RATE_LIMIT = UserOrKeyRateThrottle().num_requests


class _Answer(list):
    """The body; closing it (the server does, once it is sent) ends the request as Django's
    response does: the usage event goes to the buffer, then request_finished."""

    events: list

    def close(self) -> None:
        buffer_push(self.events)
        signals.request_finished.send(sender=None)


def _refused(start_response, status: str) -> _Answer:
    start_response(status, [("Content-Type", "application/json")])
    answer = _Answer([b"{}"])
    answer.events = []
    return answer


def application(environ, start_response):
    signals.request_started.send(sender=None, environ=environ)
    started = time.perf_counter()
    request = WSGIRequest(environ)
    authorization = environ.get("HTTP_AUTHORIZATION", "")
    if request.method != "GET" or not authorization.startswith(PREFIX):
        return _refused(start_response, "400 Bad Request")
    key, counted = credential_verify(
        OrganisationAPIKey, authorization[len(PREFIX) :], request.META["REMOTE_ADDR"], rate=key_rate
    )
    if key is None or not key.has_scope(ApiScope.USERS):
        return _refused(start_response, "401 Unauthorized")
    if counted is not None and RATE_LIMIT is not None and counted[0] > RATE_LIMIT:
        return _refused(start_response, "429 Too Many Requests")
    total, rows = users_listed_by_api(ApiKeyPrincipal(key, rate_counted=counted)).page(0, PAGE_ROWS)
    following = request.build_absolute_uri("?page=2") if total > PAGE_ROWS else None
    body = orjson.dumps(
        {"count": total, "next": following, "previous": None, "results": listed_users(rows)}
    )
    start_response("200 OK", [*HEADERS, ("Content-Length", str(len(body)))])
    event = request_event(
        request,
        action=Action.API_CALL,
        organisation_id=key.organisation_id,
        user_id=None,
        feature=FEATURE,
        status_code=200,
        duration_ms=int((time.perf_counter() - started) * 1000),
        purpose=purpose_for(key.organisation_id, FEATURE),
    )
    event["session_hash"] = _hash("usage.api-key", key.prefix)
    answer = _Answer([body])
    answer.events = [event]
    return answer
