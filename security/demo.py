"""Demo two-step logins and investigations for the embedded mode, made once each through the
services a real login and a real DPO use."""

import hashlib
import hmac
from datetime import timedelta

from axes.models import AccessFailureLog, AccessLog
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import User
from security.models import BackupCode, BackupCodeDevice, Investigation, SecurityCheckRun
from security.services.evidence import Event
from security.services.investigations import investigation_record_outcome
from security.services.mfa import (
    BACKUP_CODE_ALPHABET,
    BACKUP_CODE_COUNT,
    BACKUP_DEVICE_NAME,
    TOTP_DEVICE_NAME,
    format_backup_code,
    totp_secret,
)
from security.services.rules import investigation_raise
from security.services.self_check import security_self_check_run

# Demo only: the authenticator keys and backup codes of demo accounts derive from it, so the
# printed ones stay valid across runs. Never use this for a real account.
DEMO_MFA_KEY = b"privacydesk-demo-mfa-2026"


def _demo_digest(email: str, purpose: str) -> bytes:
    return hmac.new(DEMO_MFA_KEY, f"{purpose}:{email}".encode(), hashlib.sha256).digest()


def demo_totp_key(email: str) -> str:
    """The hex TOTP key (20 bytes, as django-otp stores it) of a demo account."""
    return _demo_digest(email, "totp")[:20].hex()


def demo_backup_codes(email: str) -> list[str]:
    """The demo account's 10 backup codes, as printed (``xxxxx-xxxxx``)."""
    codes = []
    for index in range(BACKUP_CODE_COUNT):
        digest = _demo_digest(email, f"backup-{index}")
        raw = "".join(BACKUP_CODE_ALPHABET[byte % len(BACKUP_CODE_ALPHABET)] for byte in digest)
        codes.append(format_backup_code(raw[:10]))
    return codes


def demo_authenticator_key(email: str) -> str:
    """The demo account's authenticator key as an app takes it (base32)."""
    return totp_secret(TOTPDevice(key=demo_totp_key(email)))


def mfa_demo_seed(users: list[User]) -> None:
    """A confirmed authenticator and backup codes for each account that must have them.

    Left alone where the account already has them, so codes used or devices re-enrolled
    in the demo survive another run.
    """
    ids = [user.pk for user in users]
    with_totp = set(
        TOTPDevice.objects.filter(user_id__in=ids, confirmed=True).values_list("user_id", flat=True)
    )
    with_codes = set(
        BackupCodeDevice.objects.filter(user_id__in=ids).values_list("user_id", flat=True)
    )
    for user in users:
        if user.pk not in with_totp:
            TOTPDevice.objects.create(
                user=user, name=TOTP_DEVICE_NAME, key=demo_totp_key(user.email), confirmed=True
            )
        if user.pk not in with_codes:
            device = BackupCodeDevice.objects.create(
                user=user, name=BACKUP_DEVICE_NAME, confirmed=True
            )
            BackupCode.objects.bulk_create(
                BackupCode(device=device, code_hash=BackupCodeDevice.code_hash(code))
                for code in demo_backup_codes(user.email)
            )


def _login_attempts_seed(user: User, events: list[Event]) -> None:
    """The logins an investigation cites, recorded as django-axes records real ones, so that
    the account's pages (console and back office) show the logins the investigation shows."""
    logs = {"login_succeeded": AccessLog, "login_failed": AccessFailureLog}
    for event in events:
        if (log := logs.get(event.event)) is None:
            continue
        row = log.objects.create(
            username=user.email,
            ip_address=event.ip,
            user_agent=event.user_agent,
            http_accept="text/html",
            path_info="/accounts/login/",
        )
        # attempt_time is auto_now_add: set the event's own time after the insert.
        log.objects.filter(pk=row.pk).update(attempt_time=event.time)


def investigations_demo_seed(*, dpo: User) -> None:
    """One open investigation whose rule held a member's account, and one closed one.

    Each is made once, through the same services a real login and a real DPO use; a
    demo in which someone has since worked them is left as it is.
    """
    now = timezone.now()
    held = User.objects.get(email="jack.murphy@acme.example")
    if not Investigation.objects.filter(user=held, rule="many_ips_in_hour").exists():
        browser = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) Firefox/128.0"
        logins = [
            Event(now - timedelta(minutes=50 - 15 * n), ip, "login_succeeded", browser)
            for n, ip in enumerate(["203.0.113.10", "198.51.100.23", "192.0.2.77", "203.0.113.201"])
        ]
        _login_attempts_seed(held, logins)
        investigation_raise(
            rule="many_ips_in_hour",
            summary="Successful logins from 4 IP addresses within 60 minutes",
            evidence=logins,
            user=held,
            ip_address="203.0.113.201",
            suspend_reason="successful logins from many places within an hour",
        )
    cleared = User.objects.get(email="isla.robinson@acme.example")
    if not Investigation.objects.filter(user=cleared, rule="lockout").exists():
        failures = [
            Event(now - timedelta(days=3, minutes=5 - n), "198.51.100.4", "login_failed")
            for n in range(5)
        ]
        _login_attempts_seed(cleared, failures)
        investigation = investigation_raise(
            rule="lockout",
            summary="Logins to this account were locked out after repeated failures from "
            "198.51.100.4",
            evidence=[*failures, Event(now - timedelta(days=3), "198.51.100.4", "locked_out")],
            user=cleared,
            ip_address="198.51.100.4",
        )
        investigation_record_outcome(
            investigation=investigation,
            outcome=Investigation.Outcome.CLEARED,
            reason="The user had forgotten a recently changed password; confirmed by phone.",
            by=dpo,
        )


def security_check_demo_seed() -> None:
    """One run of the security self-check, so the dashboard shows a result (once).

    No backup is recorded: the embedded mode makes none, and the check says so.
    """
    if not SecurityCheckRun.objects.exists():
        security_self_check_run(trigger=SecurityCheckRun.Trigger.SCHEDULE)
