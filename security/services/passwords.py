"""Password changes and reset e-mails.

A password change, whichever way it happens, logs out every other session of the user,
tells them by e-mail and leaves an audit entry.
"""

import logging

from celery import shared_task
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.contrib.auth.tokens import default_token_generator
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

import audit
from accounts.models import User
from accounts.tasks import notice_enqueue
from common.ratelimit import email_and_ip_limits, rate_allow
from security.services.lockout import lockout_clear
from security.services.sessions import user_sessions_end
from sso.selectors import password_login_refused, sso_start_link

logger = logging.getLogger(__name__)

PASSWORD_RESET_SUBJECT = "Reset your PrivacyDesk password"  # noqa: S105 (a subject line)


def user_password_change(
    *, user: User, password: str, keep_session_key: str | None = None, via: str = "change"
) -> User:
    """Set a new password (validated), end every session but ``keep_session_key``, tell the user.

    ``via`` says how: "change" (the logged-in user, who keeps the current session) or "reset"
    (the e-mailed link, which ends every session and lifts the account's login lockout).
    """
    validate_password(password, user)
    with transaction.atomic():
        user.set_password(password)
        user.save(update_fields=["password"])
        ended = user_sessions_end(user=user, keep_session_key=keep_session_key)
        details = {"via": via, "sessions_ended": ended}
        if via == "reset":
            # The link proved the owner has the mailbox: their own lockout ends with the reset.
            details["lockouts_lifted"] = lockout_clear(username=user.email)
        audit.record(user, "user.password_change", target=user, details=details)
        notice_enqueue(user=user, kind="password_changed")
    return user


SSO_REQUIRED_RESET = (
    "Your organisation logs in with single sign-on, so its people's PrivacyDesk passwords are "
    "not used and are not reset (its break-glass admin's aside). Log in with single sign-on "
    "from the login page: your organisation's identity provider asks for its own password. "
    "If the address has an account, we have e-mailed it the way in."
)


def _active_users(email: str):
    # ``User.is_active`` is a property, so Django's own filter on it cannot be used.
    return User.objects.filter(email__iexact=email.strip(), status=User.Status.ACTIVE)


def password_reset_users(email: str):
    """Who may get a reset link for ``email``: an active account with a usable password whose
    organisation does not require single sign-on of them."""
    return [
        user
        for user in _active_users(email)
        if user.has_usable_password() and not password_login_refused(user)
    ]


def password_reset_sso_users(email: str):
    """The active account of ``email`` whose organisation requires single sign-on: it is told
    so by e-mail instead of getting a link (an address outside the organisation's verified
    domains is not refused on the page, which must not tell who has an account)."""
    return [user for user in _active_users(email) if password_login_refused(user)]


def _password_reset_limits(email: str, ip_address: str | None) -> list[tuple[str, int, int]]:
    return email_and_ip_limits(
        "password-reset",
        email=email,
        ip_address=ip_address,
        per_email=(
            settings.PASSWORD_RESET_LIMIT_PER_EMAIL,
            settings.PASSWORD_RESET_LIMIT_PER_EMAIL_SECONDS,
        ),
        per_ip=(settings.PASSWORD_RESET_LIMIT_PER_IP, settings.PASSWORD_RESET_LIMIT_PER_IP_SECONDS),
    )


def password_reset_request(*, email: str, ip_address: str | None) -> None:
    """E-mail a reset link if ``email`` is an active account; do nothing visible otherwise.

    Every request counts against the address's limit and the client IP's, known account or
    not, so neither the limit nor the answer tells who has an account; past a limit nothing is
    sent. The e-mail goes out from a task after commit, so the answer takes as long for an
    unknown address as for a known one, and no token travels through the broker.
    """
    if not rate_allow(_password_reset_limits(email, ip_address)):
        logger.warning("Password reset not sent: rate limit reached")
        return
    for user in password_reset_users(email):
        send_password_reset.delay_on_commit(user.pk)
    for user in password_reset_sso_users(email):
        notice_enqueue(
            user=user, kind="password_reset_sso", context={"sso_url": sso_start_link(user)}
        )


def password_reset_url(user: User) -> str:
    path = reverse(
        "accounts:password_reset_confirm",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": default_token_generator.make_token(user),
        },
    )
    return f"{settings.SITE_URL}{path}"


# Named as before the move to security, so a task queued by the previous release still runs.
@shared_task(name="accounts.passwords.send_password_reset")
def send_password_reset(user_id: int) -> None:
    user = User.objects.filter(pk=user_id, status=User.Status.ACTIVE).first()
    if user is None or not user.has_usable_password() or password_login_refused(user):
        return
    body = render_to_string(
        "security/emails/password_reset.txt",
        {
            "user": user,
            "url": password_reset_url(user),
            "hours": settings.PASSWORD_RESET_TIMEOUT // 3600,
        },
    )
    send_mail(PASSWORD_RESET_SUBJECT, body, None, [user.email])
