"""Security notices: the person is e-mailed when something changes how their account is
protected, or when it is logged in to from somewhere new.

Each notice says what happened, when (with its zone), from which device and IP address, and
what to do if it was not them. They go through accounts' notice path, after the transaction
commits; they are not marketing and go out whatever the person's preferences say.

A login is "new" when its fingerprint (a keyed hash of the IP address and the device in words,
``LoginFingerprint``) is not among those the user logged in from within ``NEW_LOGIN_WINDOW``.
The first login ever has nothing to differ from and is not announced; after that, a login
from a device and address unused for the window is, even if they were used long ago.
"""

from datetime import timedelta

from django.db import transaction
from django.db.models import Count, Q
from django.utils.crypto import salted_hmac

from accounts.models import User
from accounts.tasks import notice_enqueue
from common.origin import device_label, origin_in_words
from security.models import LoginFingerprint
from security.services.evidence import request_ip, request_time, request_user_agent

# As long as the logins and sessions it is compared with are kept (retention "security_logs").
NEW_LOGIN_WINDOW = timedelta(days=90)


def security_notice(*, user: User, kind: str, origin: dict | None = None, **context) -> None:
    """E-mail ``user`` the notice ``kind`` once the transaction commits; ``origin`` is
    common.origin.request_origin of the request that did it, when there was one."""
    notice_enqueue(user=user, kind=kind, context={**(origin or {}), **context})


def login_fingerprint(*, ip: str, device: str) -> str:
    mac = salted_hmac("security.login-fingerprint", f"{ip}|{device}", algorithm="sha256")
    return mac.hexdigest()


def login_place_check(*, request, user: User) -> bool:
    """At each successful login: remember where it came from, and e-mail the user when that
    place is new to their recent logins. Returns whether it was new."""
    ip = request_ip(request) or ""
    device = device_label(request_user_agent(request))
    now = request_time(request)
    fingerprint = login_fingerprint(ip=ip, device=device)
    since = now - NEW_LOGIN_WINDOW
    places = LoginFingerprint.objects.filter(user=user)
    # Places unused for the window are forgotten: they no longer make a login "known".
    stale = Q(last_seen_at__lt=since) & ~Q(fingerprint=fingerprint)
    # No savepoint inside a login's transaction: an error here ends the whole login anyway.
    with transaction.atomic(savepoint=False):
        seen = places.aggregate(
            places=Count("pk"),
            known=Count("pk", filter=Q(fingerprint=fingerprint, last_seen_at__gte=since)),
            stale=Count("pk", filter=stale),
        )
        has_history, known = seen["places"] > 0, seen["known"] > 0
        # One statement for a known place and a new one alike, and for two logins at the same
        # moment from the same place.
        place = LoginFingerprint(
            user=user, fingerprint=fingerprint, first_seen_at=now, last_seen_at=now
        )
        LoginFingerprint.objects.bulk_create(
            [place],
            update_conflicts=True,
            unique_fields=["user", "fingerprint"],
            update_fields=["last_seen_at"],
        )
        if seen["stale"]:
            places.filter(stale).delete()
        new = has_history and not known
        if new:
            security_notice(
                user=user,
                kind="new_login",
                origin={"ip": ip, "device": device, "where": origin_in_words(ip, device)},
                at=now.isoformat(),
                window_days=NEW_LOGIN_WINDOW.days,
            )
    return new
