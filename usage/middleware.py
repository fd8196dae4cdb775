"""Recording product use: a middleware for pages and API calls, and ``usage_record`` for the rest.

A request's events are collected on the request and handed to the buffer once, after its
response has been sent: see ``request_events_hand_over``. Whatever the request held (a path
with ``%00`` in it, say), ``buffer_push`` cleans every event before it is buffered or written
(``usage.events.event_clean``), so no captured value can make the database refuse a batch.
"""

import time
from contextvars import ContextVar
from functools import lru_cache

from django.conf import settings
from django.utils import timezone
from django.utils.crypto import salted_hmac
from ua_parser import parse_user_agent

from common.client_ip import client_ip
from usage.buffer import buffer_push
from usage.models import Action, UsagePurpose

SKIPPED_PREFIXES = ("/static/", "/healthz", "/favicon.ico")
PURPOSES_TTL_SECONDS = 60
_purposes: dict[int, tuple[float, dict[str, str]]] = {}
# The events of the request being served, until its response is closed. A context variable, not
# a thread-local, so that it stays per request under ASGI too (asgiref carries context changes
# between the sync middleware and the async handler that closes the response).
_pending_events: ContextVar[list[dict] | None] = ContextVar("usage_pending_events", default=None)


@lru_cache(maxsize=2048)
def user_agent_family(user_agent: str) -> str:
    if not user_agent:
        return ""
    parsed = parse_user_agent(user_agent[:512])
    return (parsed.family if parsed else "Other")[:60]


def purpose_for(organisation_id: int, feature: str) -> str:
    """The organisation's purpose for a feature, from its configuration (cached a minute)."""
    now = time.monotonic()
    cached = _purposes.get(organisation_id)
    if cached is None or cached[0] < now:
        mapping = {}
        for code, features in UsagePurpose.objects.filter(
            organisation_id=organisation_id
        ).values_list("code", "features"):
            mapping.update(dict.fromkeys(features or [], code))
        cached = (now + PURPOSES_TTL_SECONDS, mapping)
        _purposes[organisation_id] = cached
    return cached[1].get(feature, "")


def purposes_forget() -> None:
    """Drop this process's cached purposes (tests; a purpose edit is otherwise seen in a minute)."""
    _purposes.clear()


@lru_cache(maxsize=4096)
def _hash(salt: str, value: str) -> str:
    # Every request of a session hashes the same key: remember the last few thousand.
    return salted_hmac(salt, value).hexdigest()[:32]


def _session_hash(request) -> str:
    key = getattr(getattr(request, "session", None), "session_key", None)
    return _hash("usage.session", key) if key else ""


def request_event(request, **fields) -> dict:
    """The fields every event of this request shares; ``fields`` add or override."""
    return {
        "occurred_at": timezone.now(),
        "session_hash": _session_hash(request),
        "ip_address": client_ip(request),
        "user_agent_family": user_agent_family(request.META.get("HTTP_USER_AGENT", "")),
        "path": request.path[:300],  # never the query string: it can carry personal data
        **fields,
    }


def usage_record(request, *, action: str, user=None, organisation_id=None, **fields) -> None:
    """Record one event of this request (login, logout, export, a feature)."""
    organisation_id = organisation_id or getattr(user, "organisation_id", None)
    if organisation_id is None or not settings.USAGE_LOGGING_ENABLED:
        return  # Only clients' users are reported on; company staff are in the audit trail.
    event = request_event(
        request,
        action=action,
        organisation_id=organisation_id,
        user_id=getattr(user, "pk", None),
        **fields,
    )
    pending = getattr(request, "usage_events", None)
    if pending is None:
        buffer_push([event])
    else:
        pending.append(event)


def request_events_hand_over() -> None:
    """Hand the events of the request whose response was just closed to the buffer.

    Called by the ``request_finished`` receiver (usage/receivers.py). Django sends that signal
    from ``HttpResponse.close()``, which a WSGI server calls once the response has been sent (a
    streaming response's after its last chunk) and the test client calls before returning. So
    the buffer push (a Redis round trip, or the embedded mode's bulk insert) happens after the
    user has the page, never before. ``buffer_push`` keeps its guarantee there: if Redis is
    down the events are written to the database directly and counted, and any other failure
    raises out of ``close()``, where the server logs it.
    """
    events = _pending_events.get()
    if events is None:
        return
    _pending_events.set(None)
    buffer_push(events)


class UsageLoggingMiddleware:
    """Record each authenticated page view and API call, off the request's critical path.

    The events are kept for the ``request_finished`` receiver, which hands them to the buffer
    once the response has been sent; the middleware itself does no I/O.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not settings.USAGE_LOGGING_ENABLED or request.path.startswith(SKIPPED_PREFIXES):
            return self.get_response(request)
        # A previous response that was never closed (a streaming response left unread) would
        # otherwise lose its events when this request takes the slot: they go now.
        request_events_hand_over()
        started = time.perf_counter()
        request.usage_events = []
        _pending_events.set(request.usage_events)
        response = self.get_response(request)
        self._record_request(request, response, started)
        return response

    def _record_request(self, request, response, started: float) -> None:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return
        api_key = getattr(user, "api_key", None)
        organisation_id = getattr(user, "organisation_id", None)
        if organisation_id is None:
            return
        match = request.resolver_match
        feature = (match.view_name if match else "")[:100]
        is_api = request.path.startswith("/api/")
        event = request_event(
            request,
            action=Action.API_CALL if is_api else Action.PAGE_VIEW,
            organisation_id=organisation_id,
            user_id=None if api_key is not None else user.pk,
            feature=feature,
            status_code=response.status_code,
            duration_ms=int((time.perf_counter() - started) * 1000),
            purpose=purpose_for(organisation_id, feature),
        )
        if api_key is not None:
            event["session_hash"] = _hash("usage.api-key", api_key.prefix)
        request.usage_events.append(event)
