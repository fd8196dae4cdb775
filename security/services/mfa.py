"""Two-step login: authenticator (TOTP) enrolment, verification and single-use backup codes.

Backup codes are shown once, when issued, and stored only as keyed hashes
(BackupCodeDevice). Every guess goes through a device with django-otp's throttling, which
doubles the wait after each wrong code.
"""

import base64
import secrets
from dataclasses import dataclass
from datetime import datetime

import segno
from django.db import transaction
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django_otp import devices_for_user
from django_otp import login as otp_login
from django_otp.models import Device, VerifyNotAllowed
from django_otp.plugins.otp_totp.models import TOTPDevice

import audit
from accounts.models import User
from common.decorators import is_otp_verified
from security.models import BackupCode, BackupCodeDevice
from security.selectors import user_has_confirmed_device
from security.services.notices import security_notice

BACKUP_CODE_COUNT = 10
# Crockford's base32 alphabet in lower case: no i, l, o or u to misread.
BACKUP_CODE_ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz"
TOTP_DEVICE_NAME = "Authenticator app"
BACKUP_DEVICE_NAME = "Backup codes"
# Whether the session's user had a confirmed device at login: the middleware reads this
# instead of querying the devices on every request.
SESSION_HAS_DEVICE = "accounts.mfa_device"  # the key live sessions hold since before the move
WARN_AFTER_FAILURES = 3


class MfaNotAllowed(Exception):
    """The user may not make this change to their two-step login."""


@dataclass(frozen=True)
class Verification:
    device: Device | None
    locked_until: datetime | None = None
    # True when the code was checked and was wrong (False when it was refused unchecked).
    wrong: bool = False

    @property
    def throttled(self) -> bool:
        return self.locked_until is not None

    @property
    def wait_seconds(self) -> int:
        if self.locked_until is None:
            return 0
        return max(1, int((self.locked_until - timezone.now()).total_seconds() + 0.999))


def format_backup_code(code: str) -> str:
    return f"{code[:5]}-{code[5:]}"


def generate_backup_code() -> str:
    return "".join(secrets.choice(BACKUP_CODE_ALPHABET) for _ in range(10))


def totp_secret(device: TOTPDevice) -> str:
    """The base32 secret a person types into an authenticator app, in groups of four."""
    raw = base64.b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(raw[i : i + 4] for i in range(0, len(raw), 4))


def totp_qr_svg(device: TOTPDevice) -> SafeString:
    """The otpauth:// URI as an inline SVG QR code, drawn here: no image service sees the key."""
    qr = segno.make(device.config_url, error="m")
    svg = qr.svg_inline(scale=5, dark="#0f172a", light="#ffffff", title="QR code")
    return mark_safe(svg)  # noqa: S308 (segno's own output, no user input in the markup)


def may_enrol(user) -> bool:
    """A user may set up an authenticator when they have none, or once verified (to replace it)."""
    return user.is_verified() or not user_has_confirmed_device(user)


def mfa_totp_begin(*, user: User) -> TOTPDevice:
    """The unconfirmed authenticator a user is setting up; reused so the QR code stays put."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-id").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=TOTP_DEVICE_NAME, confirmed=False)
    return device


def mfa_verify_allowed(device: Device) -> Verification | None:
    """None when the device accepts a guess now, else when it will again."""
    allowed, data = device.verify_is_allowed()
    if allowed:
        return None
    if data and data.get("reason") == VerifyNotAllowed.N_FAILED_ATTEMPTS:
        return Verification(device=None, locked_until=data["locked_until"])
    return Verification(device=None, locked_until=timezone.now())


def mfa_totp_confirm(
    *, user: User, token: str, origin: dict | None = None
) -> tuple[Verification, list[str]]:
    """Confirm the authenticator being set up with a code from it.

    On success any older authenticator is replaced, and a fresh set of backup codes is issued
    and returned (plain, to be shown once). The user is e-mailed once, for both.
    """
    with transaction.atomic():
        device = (
            TOTPDevice.objects.select_for_update()
            .filter(user=user, confirmed=False)
            .order_by("-id")
            .first()
        )
        if device is None:
            return Verification(device=None), []
        throttled = mfa_verify_allowed(device)
        if throttled:
            return throttled, []
        if not device.verify_token(_digits(token)):
            return Verification(device=None, locked_until=_locked_until(device), wrong=True), []
        replaced = TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()[0]
        device.confirmed = True
        device.name = TOTP_DEVICE_NAME
        device.save(update_fields=["confirmed", "name"])
        audit.record(user, "mfa.enrol", target=user, details={"replaced": bool(replaced)})
        codes = _backup_codes_replace(user=user)
        security_notice(user=user, kind="mfa_enrolled", origin=origin, replaced=bool(replaced))
    return Verification(device=device), codes


def mfa_backup_codes_issue(*, user: User, origin: dict | None = None) -> list[str]:
    """Replace the user's backup codes with 10 new ones; returns them, formatted, to show once.
    The user is e-mailed that it was done."""
    with transaction.atomic():
        codes = _backup_codes_replace(user=user)
        security_notice(user=user, kind="backup_codes_regenerated", origin=origin)
    return codes


def _backup_codes_replace(*, user: User) -> list[str]:
    codes = [generate_backup_code() for _ in range(BACKUP_CODE_COUNT)]
    with transaction.atomic():
        BackupCodeDevice.objects.filter(user=user).delete()
        device = BackupCodeDevice.objects.create(user=user, name=BACKUP_DEVICE_NAME, confirmed=True)
        BackupCode.objects.bulk_create(
            BackupCode(device=device, code_hash=BackupCodeDevice.code_hash(code)) for code in codes
        )
        audit.record(user, "mfa.backup_codes_issue", target=user, details={"count": len(codes)})
    return [format_backup_code(code) for code in codes]


def mfa_verify(*, user: User, token: str, origin: dict | None = None) -> Verification:
    """Check a code from the authenticator, or a backup code, against the user's devices.

    Six digits go to the authenticator, anything else to the backup codes, so a mistyped code
    counts against one device only. A backup code used is e-mailed to the user.
    """
    token = (token or "").strip()
    digits = _digits(token)
    if len(digits) == 6 and digits.isdigit():
        model, token = TOTPDevice, digits
    else:
        model = BackupCodeDevice
    with transaction.atomic():
        device = model.objects.select_for_update().filter(user=user, confirmed=True).first()
        if device is None:
            return Verification(device=None, wrong=True)
        throttled = mfa_verify_allowed(device)
        if throttled:
            return throttled
        if device.verify_token(token):
            if model is BackupCodeDevice:
                left = device.remaining
                audit.record(user, "mfa.backup_code_used", target=user, details={"left": left})
                security_notice(user=user, kind="backup_code_used", origin=origin, left=left)
            return Verification(device=device)
        return Verification(device=None, locked_until=_locked_until(device), wrong=True)


def mfa_session_verified(*, request, device: Device) -> None:
    """Mark the session as having passed the second step, under a fresh session key."""
    otp_login(request, device)
    request.session[SESSION_HAS_DEVICE] = True
    # A new key once the second factor is proven, as at the password step.
    request.session.cycle_key()


def mfa_disable(*, user: User, by: User, origin: dict | None = None) -> int:
    """Remove a volunteer's two-step login. Users who must have it cannot turn it off."""
    if user.mfa_required:
        raise MfaNotAllowed("Two-step login is required for your account.")
    if by.pk != user.pk:
        raise MfaNotAllowed("Only the account's owner can turn off two-step login here.")
    with transaction.atomic():
        # Every device django-otp knows: authenticator apps, passkeys and backup codes.
        removed = sum(device.delete()[0] for device in devices_for_user(user, confirmed=None))
        audit.record(by, "mfa.disable", target=user, details={"devices_removed": removed})
        security_notice(user=user, kind="mfa_removed", origin=origin)
    return removed


def session_has_device(request) -> bool:
    """Whether the logged-in user has a confirmed device, cached in the session at login."""
    flag = request.session.get(SESSION_HAS_DEVICE)
    if flag is None:
        flag = user_has_confirmed_device(request.user)
        request.session[SESSION_HAS_DEVICE] = flag
    return flag


def second_step(request) -> str | None:
    """The two-step page (a URL name) a logged-in user still owes this session, if any.

    Someone with a device verifies it; someone who must have one (privileged roles, superusers,
    members of an organisation that requires it) enrols one; everyone else is through.
    """
    user = request.user
    if not user.is_authenticated or is_otp_verified(user):
        return None
    if session_has_device(request):
        return "accounts:mfa_verify"
    if user.mfa_required:
        return "accounts:mfa_enrol"
    return None


def remember_devices(*, request, user: User) -> None:
    """At login: note whether the user has a device, so the middleware needs no query."""
    request.session[SESSION_HAS_DEVICE] = user_has_confirmed_device(user)


def _digits(token: str) -> str:
    return "".join((token or "").split())


def _locked_until(device: Device) -> datetime | None:
    """After a wrong guess: when the next one is allowed, once the wait is worth mentioning.

    The first waits are a second or two, shorter than anyone types; from the third wrong code
    on, the person is told how long to wait.
    """
    if getattr(device, "throttling_failure_count", 0) < WARN_AFTER_FAILURES:
        return None
    throttled = mfa_verify_allowed(device)
    return throttled.locked_until if throttled else None
