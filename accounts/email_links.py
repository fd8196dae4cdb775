"""The signed links mailed to users: the invitation, and the confirmation of a new e-mail
address. Kept apart from accounts.services, which enqueue the tasks that mail these links, so
that the tasks need nothing from the services."""

from django.conf import settings
from django.core import signing
from django.urls import reverse

from accounts.models import EmailChange, Invitation

EMAIL_CHANGE_SALT = "accounts.email-change"
INVITATION_SALT = "accounts.invitation"


def invitation_token(invitation: Invitation) -> str:
    return signing.dumps(invitation.nonce, salt=INVITATION_SALT)


def invitation_url(invitation: Invitation) -> str:
    path = reverse("accounts:invitation", kwargs={"token": invitation_token(invitation)})
    return f"{settings.SITE_URL}{path}"


def email_change_token(change: EmailChange) -> str:
    return signing.dumps(change.nonce, salt=EMAIL_CHANGE_SALT)


def email_change_url(change: EmailChange) -> str:
    path = reverse("account:email_confirm", kwargs={"token": email_change_token(change)})
    return f"{settings.SITE_URL}{path}"


def email_change_nonce(token: str) -> str | None:
    """The nonce a link carries, or None when the link was not made by us (or was altered)."""
    try:
        return signing.loads(token, salt=EMAIL_CHANGE_SALT)
    except signing.BadSignature:
        return None
