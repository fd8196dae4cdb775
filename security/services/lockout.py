"""django-axes glue: the username it locks on, and the notice a lockout sends to the owner."""

from axes.helpers import get_failure_limit
from django.conf import settings

from accounts.models import User, UserManager
from accounts.tasks import notice_enqueue


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
