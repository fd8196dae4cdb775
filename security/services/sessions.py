"""The browser sessions a user can see and end: one UserSession row per logged-in session.

A row is written at login, follows the session when its key rotates (login, OTP step,
password change) and is refreshed at most once a minute, so tracking costs one UPDATE a
minute per active session, never a query per request. Ending a session deletes Django's
Session row (the browser is logged out at its next request) and marks the UserSession ended.
"""

from datetime import datetime, timedelta

from django.contrib.sessions.models import Session
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

import audit
from accounts.models import User
from common.client_ip import client_ip
from common.origin import device_label
from security.models import UserSession

# What the session remembers of its own row: {"k": session key, "t": last refresh (epoch s)}.
SESSION_MARK = "accounts.user_session"  # the key live sessions hold since before the move
REFRESH_EVERY = timedelta(minutes=1)


def _mark(request, now: datetime) -> None:
    request.session[SESSION_MARK] = {
        "k": request.session.session_key,
        "t": int(now.timestamp()),
    }


def last_refreshed(request) -> datetime | None:
    mark = request.session.get(SESSION_MARK)
    if not mark:
        return None
    return datetime.fromtimestamp(mark["t"], tz=timezone.get_current_timezone())


def user_session_start(*, request, user: User) -> UserSession:
    """Record the session a login has just opened (called from the user_logged_in signal)."""
    if not request.session.session_key:
        # login() after a flush leaves the new session without a key until it is saved.
        request.session.save()
    now = timezone.now()
    row = _open(request, user, request.session.session_key, now)
    _mark(request, now)
    return row


def _open(request, user: User, key: str, now) -> UserSession:
    """The session row for ``key``, opened now (a row left under that key starts afresh).

    One INSERT … ON CONFLICT statement, where update_or_create would take six (savepoints, a
    locking read, the insert): it runs on every login."""
    (row,) = UserSession.objects.bulk_create(
        [
            UserSession(
                session_key=key,
                user=user,
                ip_address=client_ip(request),
                device=device_label(request.META.get("HTTP_USER_AGENT", "")),
                created_at=now,
                last_seen_at=now,
                ended_at=None,
            )
        ],
        update_conflicts=True,
        unique_fields=["session_key"],
        update_fields=["user", "ip_address", "device", "created_at", "last_seen_at", "ended_at"],
    )
    return row


def user_session_touch(*, request, user: User) -> None:
    """Follow a rotated session key, and refresh last_seen_at at most once a minute."""
    key = request.session.session_key
    if not key:
        return
    mark = request.session.get(SESSION_MARK) or {}
    now = timezone.now()
    if mark.get("k") == key and now.timestamp() - mark.get("t", 0) < REFRESH_EVERY.total_seconds():
        return
    previous_key = mark.get("k") or key
    updated = UserSession.objects.filter(
        user=user, session_key=previous_key, ended_at__isnull=True
    ).update(session_key=key, last_seen_at=now)
    if not updated:
        # A session opened before tracking existed, or one whose row was lost: start one.
        _open(request, user, key, now)
    _mark(request, now)


def user_session_finish(*, request) -> None:
    """Mark the current session ended (called from the user_logged_out signal)."""
    key = request.session.session_key
    if key:
        UserSession.objects.filter(session_key=key, ended_at__isnull=True).update(
            ended_at=timezone.now()
        )


def user_sessions_end(*, user: User, keep_session_key: str | None = None) -> int:
    """Log out every session of ``user`` except ``keep_session_key``; returns how many ended."""
    sessions = UserSession.objects.filter(user=user, ended_at__isnull=True)
    if keep_session_key:
        sessions = sessions.exclude(session_key=keep_session_key)
    keys = list(sessions.values_list("session_key", flat=True))
    Session.objects.filter(session_key__in=keys).delete()
    return sessions.update(ended_at=timezone.now())


def user_session_end(*, session: UserSession, by: User) -> None:
    """End one of ``by``'s own sessions: that browser is logged out at its next request."""
    if session.user_id != by.pk:
        raise PermissionDenied("A user may end only their own sessions.")
    with transaction.atomic():
        Session.objects.filter(session_key=session.session_key).delete()
        UserSession.objects.filter(pk=session.pk, ended_at__isnull=True).update(
            ended_at=timezone.now()
        )
        audit.record(by, "session.end", target=by, details={"device": session.device})
