"""django-axes glue: the username it locks on, the notice a lockout sends to the owner, and
lifting a lockout (by staff, or by the owner's completed password reset)."""

from axes.helpers import get_failure_limit
from axes.utils import reset as axes_reset
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

import audit
from accounts.models import User, UserManager
from accounts.selectors import login_lockout
from accounts.tasks import notice_enqueue
from security.selectors import is_investigator
from security.services.notices import security_notice


def axes_username(request, credentials: dict | None) -> str:
    """The lockout key's username: the e-mail as typed, normalised, known account or not.

    Normalising here means "A@x" and "a@x" share one lockout, and an unknown address is
    counted exactly like a known one, so a lockout reveals nothing about who has an account.
    """
    credentials = credentials or {}
    raw = credentials.get("username") or credentials.get("email")
    if raw is None and request is not None:
        data = getattr(request, "data", None) or request.POST
        raw = data.get("username") or data.get("email")
    return UserManager.normalize_email(raw if isinstance(raw, str) else "")


def lockout_notice(*, request, username: str | None) -> None:
    """Tell the owner of ``username`` that logging in was paused, once per lockout.

    axes sends its signal again for every attempt during a lockout, each one counted as one
    more failure; only the attempt that reached the limit sends the notice, so an attacker
    cannot flood the owner's mailbox. Nothing is sent for an address with no account, and the
    page the attacker sees is the same either way.
    """
    failures = getattr(request, "axes_failures_since_start", None)
    credentials = getattr(request, "axes_credentials", None)
    if failures is None or failures != get_failure_limit(request, credentials):
        return
    email = UserManager.normalize_email(username)
    user = User.objects.filter(email=email).first() if email else None
    if user is None:
        return
    cooloff = settings.AXES_COOLOFF_TIME
    notice_enqueue(
        user=user,
        kind="locked_out",
        context={"cooloff_minutes": int(cooloff.total_seconds() // 60)},
    )


def lockout_clear(*, username: str) -> int:
    """Forget django-axes' counted failures for ``username`` from every IP, which ends its
    lockouts; the failure log stays (the rules and investigations read it). Returns how many
    (username, IP) counts were cleared."""
    return axes_reset(username=UserManager.normalize_email(username))


def lockout_lift(*, user: User, by: User) -> int:
    """DPO or support lift the lockout of ``user`` (their people page): the owner may log in
    again at once, from everywhere, and is e-mailed that it was done. Returns the number of
    places it was paused from."""
    if not is_investigator(by):
        raise PermissionDenied("Only the privacy and support team lift lockouts.")
    if user.pk == by.pk:
        raise PermissionDenied("You cannot lift a lockout of your own account: ask a colleague.")
    if user.is_company_staff or user.is_superuser:
        raise PermissionDenied("Staff accounts are not managed in the back office.")
    lockout = login_lockout(user)
    if lockout is None:
        raise ValidationError("Logging in to this account is not paused: nothing to lift.")
    with transaction.atomic():
        lockout_clear(username=user.email)
        audit.record(by, "lockout.lift", target=user, details={"places": lockout.places})
        security_notice(user=user, kind="lockout_lifted")
    return lockout.places
