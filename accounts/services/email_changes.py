"""Changing a user's e-mail address: the only way the app does it.

A change is asked for (by the user, their client admin, an integration's key, the DPO through
a rights request); a one-time link goes to the new address and the current one is told; only
following the link changes the address, and the old address is told again. Invitations are
not changes: the invitation itself proves the address.
"""

import secrets
from datetime import timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone

import audit
from accounts.email_links import email_change_nonce
from accounts.models import EmailChange, User, UserManager
from accounts.selectors import user_can_manage
from accounts.services.users import require_key_acts_on_members
from accounts.tasks import send_email_change, send_email_changed
from common.ratelimit import rate_allow, rate_bucket

EMAIL_CHANGE_LIFETIME = timedelta(hours=24)
# Links one account may be sent in a day: each mails a stranger's address, and the console
# or a key could otherwise make the app send them without end.
EMAIL_CHANGE_LIMIT_PER_USER = 5
EMAIL_CHANGE_LIMIT_SECONDS = 24 * 60 * 60


class EmailChangeRefused(Exception):
    """A confirmation link that cannot change the address: ``reason`` is "invalid",
    "expired" (or replaced by a newer one), "used", or "taken" (another account has it)."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def _problem(change: EmailChange) -> str:
    if change.confirmed_at is not None:
        return "used"
    if (
        change.cancelled_at is not None
        or timezone.now() >= change.expires_at
        or change.user.status == User.Status.TERMINATED
    ):
        return "expired"
    if User.objects.filter(email=change.new_email).exclude(pk=change.user_id).exists():
        return "taken"
    return ""


def _change_of_token(token: str, *, for_update: bool = False) -> EmailChange | None:
    nonce = email_change_nonce(token)
    if nonce is None:
        return None
    changes = EmailChange.objects.select_related("user")
    if for_update:
        changes = changes.select_for_update()
    return changes.filter(nonce=nonce).first()


def email_change_from_token(token: str) -> tuple[EmailChange | None, str]:
    """The change a link names, and "" or the EmailChangeRefused reason it would fail with."""
    change = _change_of_token(token)
    if change is None:
        return None, "invalid"
    return change, _problem(change)


def user_email_change_request(*, user: User, new_email: str, by) -> EmailChange | None:
    """Ask for ``user``'s address to become ``new_email``. Nothing changes yet.

    The answer is the same whether or not another account has ``new_email``, so that it tells
    the asker nothing about that address; the link then fails when it is followed. None when
    ``new_email`` is the current address (which withdraws any pending change).
    """
    if by.pk != user.pk and not user_can_manage(by, user):
        raise PermissionDenied("You may not manage this user.")
    require_key_acts_on_members(by, user.role)
    new_email = UserManager.normalize_email(new_email)
    try:
        validate_email(new_email)
    except ValidationError:
        raise ValidationError({"email": "Enter a valid e-mail address."}) from None
    now = timezone.now()
    with transaction.atomic():
        # Only the newest link works.
        user.email_changes.filter(confirmed_at__isnull=True, cancelled_at__isnull=True).update(
            cancelled_at=now
        )
        if new_email == user.email:
            return None
        limit = (
            rate_bucket("email-change", "user", str(user.pk)),
            EMAIL_CHANGE_LIMIT_PER_USER,
            EMAIL_CHANGE_LIMIT_SECONDS,
        )
        if not rate_allow([limit]):
            raise ValidationError(
                {"email": "Too many address changes were asked for today. Try again tomorrow."}
            )
        change = EmailChange.objects.create(
            user=user,
            old_email=user.email,
            new_email=new_email,
            requested_by=by if isinstance(by, User) else None,
            nonce=secrets.token_urlsafe(32),
            created_at=now,
            expires_at=now + EMAIL_CHANGE_LIFETIME,
        )
        # The audit entry names no address: the trail is kept longer than the account.
        audit.record(by, "user.email_change_request", target=user)
        send_email_change.delay_on_commit(change.pk)
    return change


def user_email_change_confirm(*, token: str, origin: dict | None = None) -> User:
    """Follow a confirmation link: the address changes, and the old and new ones are told.

    ``origin`` (common.origin.request_origin) names the IP and device in the notices.

    Raises EmailChangeRefused, changing nothing, for a tampered, expired, replaced or used
    link, or when another account took the address in the meantime.
    """
    with transaction.atomic():
        change = _change_of_token(token, for_update=True)
        if change is None:
            raise EmailChangeRefused("invalid")
        if problem := _problem(change):
            raise EmailChangeRefused(problem)
        user = User.objects.select_for_update().get(pk=change.user_id)
        user.email = change.new_email
        try:
            with transaction.atomic():
                user.save(update_fields=["email"])
        except IntegrityError:
            # Taken between the check and the save, by a concurrent confirmation or invitation.
            raise EmailChangeRefused("taken") from None
        change.confirmed_at = timezone.now()
        change.save(update_fields=["confirmed_at"])
        # Whoever follows the link reads the new address; they act as the account's owner.
        audit.record(user, "user.email_change_confirm", target=user)
        send_email_changed.delay_on_commit(change.pk, origin)
    return user
