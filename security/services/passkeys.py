"""Passkeys (WebAuthn through django-otp-webauthn): adding, naming and removing one, and signing
in with one.

A passkey is a django-otp device, so it counts as two-step login wherever an authenticator app
does: after the password it is the second step. Signing in with a passkey alone is a login
like any other (django.contrib.auth's ``login``: the access log, the session, the new-place
notice and the suspicious-activity rules all see it), allowed where the person's organisation
allows it (security.selectors.passkey_sign_in_allowed), and only with user verification
(a PIN, a fingerprint: the library asks for it when nobody is logged in yet), which is the
second factor.
"""

from django.contrib.auth import login as auth_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp_webauthn.models import WebAuthnCredential

import audit
from accounts.models import User
from security.models import BackupCodeDevice
from security.services.mfa import mfa_session_verified
from security.services.notices import security_notice
from security.webauthn import PASSKEY_NAME_MAX_LENGTH

PASSKEY_BACKEND = "django_otp_webauthn.backends.WebAuthnBackend"
LAST_WAY_IN = (
    "This is your only passkey and you have no authenticator app: your account needs two-step "
    "login, so add another passkey or an authenticator app before removing it."
)


def _require_owner(passkey: WebAuthnCredential, by: User) -> None:
    if passkey.user_id != by.pk:
        raise PermissionDenied("A passkey is managed only by its owner.")


def passkey_added(*, passkey: WebAuthnCredential, origin: dict | None = None) -> None:
    """A passkey was just registered (django-otp-webauthn saved it): record it and tell the
    owner, in the transaction that saved it."""
    user = passkey.user
    audit.record(user, "passkey.enrol", target=user, details={"passkey": passkey.pk})
    security_notice(user=user, kind="passkey_added", origin=origin, name=passkey.name)


def passkey_rename(*, passkey: WebAuthnCredential, name: str, by: User) -> WebAuthnCredential:
    _require_owner(passkey, by)
    name = " ".join((name or "").split())
    if not name:
        raise ValidationError({"name": "Give the passkey a name you will recognise."})
    if len(name) > PASSKEY_NAME_MAX_LENGTH:
        raise ValidationError(
            {"name": f"Keep the name to {PASSKEY_NAME_MAX_LENGTH} characters or fewer."}
        )
    if name == passkey.name:
        return passkey
    with transaction.atomic():
        previous = passkey.name
        passkey.name = name
        passkey.save(update_fields=["name"])
        audit.record(
            by,
            "passkey.rename",
            target=by,
            details={"passkey": passkey.pk, "from": previous, "to": name},
        )
    return passkey


def passkey_remove(*, passkey: WebAuthnCredential, by: User, origin: dict | None = None) -> bool:
    """Remove one of ``by``'s passkeys; it signs nobody in from then on. The owner is told.

    Someone who must use two-step login keeps at least one way to do it: their last passkey
    goes only once they have another, or an authenticator app. For anyone else, removing the
    last one turns two-step login off, backup codes included. Returns whether it did.
    """
    _require_owner(passkey, by)
    with transaction.atomic():
        # One removal at a time per person, so that two at once cannot both be "not the last".
        user = User.objects.select_for_update().get(pk=by.pk)
        others = WebAuthnCredential.objects.filter(user=user, confirmed=True).exclude(pk=passkey.pk)
        keeps_a_way = (
            others.exists() or TOTPDevice.objects.filter(user=user, confirmed=True).exists()
        )
        if not keeps_a_way and user.mfa_required:
            raise ValidationError(LAST_WAY_IN)
        name, passkey_id = passkey.name, passkey.pk
        passkey.delete()
        turned_off = not keeps_a_way
        if turned_off:
            BackupCodeDevice.objects.filter(user=user).delete()
        audit.record(
            by,
            "passkey.remove",
            target=user,
            details={"passkey": passkey_id, "two_step_off": turned_off},
        )
        security_notice(
            user=user, kind="passkey_removed", origin=origin, name=name, two_step_off=turned_off
        )
    return turned_off


def passkey_sign_in(*, request, passkey: WebAuthnCredential) -> User | None:
    """Log the passkey's owner in with it alone; the caller checked they may.

    The same login as with a password (every ``user_logged_in`` receiver runs), then the
    second step is marked passed with the passkey itself. None when a suspicious-activity rule
    held the account during this very login (the rules then logged the session out).
    """
    user = passkey.user
    auth_login(request, user, backend=PASSKEY_BACKEND)
    if not request.user.is_authenticated:
        return None
    mfa_session_verified(request=request, device=passkey)
    return user
