"""The security self-check: "checking the functionality of our security measures" (the privacy
notice, "Product or systems development and testing"), run daily by beat, by the DPO from the
back office, or by ``manage.py security_self_check``.

Each check reads what is in force in this process and in the database, never what a document
says should be: the lockout settings django-axes runs with, two-step login for every privileged
account, the audit chain verified, Django's deployment checks, the newest backup the deployment
recorded, and HTTPS. Each passes or fails with a sentence a person can act on; the run is kept
(``SecurityCheckRun``) and the newest is shown on the DPO's dashboard.

Backups: the app makes none itself. The deployment's backup job records each one that
finished with ``manage.py record_backup`` (a ``BackupRecord``), and the check fails when none
is newer than ``SECURITY_BACKUP_MAX_AGE_HOURS``, or when none was ever recorded.
"""

from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import timedelta

from django.conf import settings
from django.core import checks
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp_webauthn.models import WebAuthnCredential

import audit
from accounts.models import User
from audit.services import audit_chain_verify
from common import present
from common.roles import PRIVILEGED_ROLES, Role
from security.models import BackupRecord, SecurityCheckRun

# django-axes' limits we accept: at most this many failures before a lockout, and a lockout
# that lasts at least this long, so that guessing a password online stays impractical.
MAX_FAILURE_LIMIT = 10
MIN_COOLOFF = timedelta(minutes=15)
# HSTS for at least a year: browsers then refuse plain HTTP to us between visits.
MIN_HSTS_SECONDS = 365 * 24 * 60 * 60
MFA_MIDDLEWARE = (
    "django_otp.middleware.OTPMiddleware",
    "security.middleware.MfaRequiredMiddleware",
)

# Django's deployment checks in words (django/core/checks/security/); any other is shown as
# Django words it, its first sentence.
DEPLOY_CHECK_WORDS = {
    "security.W001": "Django's security middleware is not installed.",
    "security.W002": "The middleware that refuses framing (clickjacking) is not installed.",
    "security.W003": "The middleware that checks forms against cross-site forgery is missing.",
    "security.W004": "Browsers are not told to use HTTPS only (HSTS is off).",
    "security.W005": "HSTS does not cover the subdomains.",
    "security.W006": "Browsers are not told to stop guessing the type of a file.",
    "security.W008": "Plain HTTP requests are not redirected to HTTPS.",
    "security.W009": "The secret key is short or guessable.",
    "security.W010": "The session cookie may be sent over plain HTTP.",
    "security.W011": "Sessions are installed but the session cookie is not marked secure.",
    "security.W012": "The session cookie may be sent over plain HTTP.",
    "security.W013": "Scripts in the page could read the session cookie.",
    "security.W014": "Scripts in the page could read the session cookie.",
    "security.W015": "Scripts in the page could read the session cookie.",
    "security.W016": "The forgery-protection cookie may be sent over plain HTTP.",
    "security.W018": "Debug mode is on: errors would show the code and settings to anyone.",
    "security.W019": "Pages may be framed by the same site (framing is not refused outright).",
    "security.W020": "No host names are allowed: the site would answer none.",
    "security.W021": "The site is not submitted for the browsers' HTTPS preload list.",
    "security.W022": "No referrer policy is set: full addresses may leak to other sites.",
    "security.E023": "The referrer policy is not a valid one.",
    "security.W024": "A fallback secret key is short or guessable.",
}


@dataclass(frozen=True)
class CheckResult:
    name: str
    passed: bool
    detail: str


def _result(name: str, problems: list[str], ok: str) -> CheckResult:
    return CheckResult(name, not problems, " ".join(problems) if problems else ok)


def check_lockout() -> CheckResult:
    """django-axes guards the login: installed, enabled, with a failure limit and a cool-off."""
    problems = []
    backends = settings.AUTHENTICATION_BACKENDS
    if "axes" not in settings.INSTALLED_APPS or not getattr(settings, "AXES_ENABLED", True):
        problems.append("Lockout after failed logins is switched off.")
    if not backends or not backends[0].startswith("axes.backends."):
        problems.append("The lockout is not the first check of a password.")
    if "axes.middleware.AxesMiddleware" not in settings.MIDDLEWARE:
        problems.append("The lockout page is not installed.")
    limit = getattr(settings, "AXES_FAILURE_LIMIT", 3)
    if not 0 < limit <= MAX_FAILURE_LIMIT:
        problems.append(
            f"An address is locked out after {limit} failed logins; "
            f"it should be {MAX_FAILURE_LIMIT} or fewer."
        )
    cooloff = getattr(settings, "AXES_COOLOFF_TIME", None)
    if not isinstance(cooloff, timedelta):
        problems.append("A lockout has no set length, so it never ends by itself.")
    elif cooloff < MIN_COOLOFF:
        problems.append(
            f"A lockout lasts {_minutes(cooloff)}; it should last at least {_minutes(MIN_COOLOFF)}."
        )
    if not any("username" in params for params in settings.AXES_LOCKOUT_PARAMETERS):
        problems.append("Lockouts are kept per IP address only, not per account.")
    ok = (
        f"An account is locked out from an address after {limit} failed logins, "
        f"for {_minutes(cooloff)}."
        if isinstance(cooloff, timedelta)
        else ""
    )
    return _result("Lockout after failed logins", problems, ok)


def check_mfa_for_privileged() -> CheckResult:
    """Two-step login is enforced for privileged roles, and each active one has an authenticator
    app or a passkey."""
    problems = []
    missing = [name for name in MFA_MIDDLEWARE if name not in settings.MIDDLEWARE]
    if missing:
        problems.append("Two-step login is not enforced on every page (its middleware is missing).")
    if not {Role.CLIENT_ADMIN, Role.DPO, Role.SUPPORT} <= PRIVILEGED_ROLES:
        problems.append("Not every privileged role is required to use two-step login.")
    apps = TOTPDevice.objects.filter(confirmed=True).values("user_id")
    passkeys = WebAuthnCredential.objects.filter(confirmed=True).values("user_id")
    without = (
        User.objects.filter(status=User.Status.ACTIVE)
        .filter(Q(role__in=PRIVILEGED_ROLES) | Q(is_superuser=True))
        .exclude(pk__in=apps)
        .exclude(pk__in=passkeys)
        .values_list("role", flat=True)
    )
    # Counted by role, never named: the stored result must not become a list of people.
    counts: dict[str, int] = {}
    for role in without:
        label = Role(role).label.lower() if role in PRIVILEGED_ROLES else "superuser"
        counts[label] = counts.get(label, 0) + 1
    if counts:
        who = ", ".join(
            f"{count} {_plural(label, count)}" for label, count in sorted(counts.items())
        )
        problems.append(
            f"Active privileged accounts without an authenticator app or passkey: {who}. They "
            "are asked to set one up at their next login; until then the account has only its "
            "password."
        )
    return _result(
        "Two-step login for privileged accounts",
        problems,
        "Required for client admins, the DPO and support; every active one has an authenticator "
        "app or a passkey.",
    )


def check_audit_chain() -> CheckResult:
    result = audit_chain_verify()
    if result.intact:
        return CheckResult(
            "Audit trail",
            True,
            f"The chain of {result.checked:,} entries verified intact.",
        )
    return CheckResult(
        "Audit trail",
        False,
        f"The chain is broken at entry {result.broken_entry_id}: {result.problem}.",
    )


def check_deployment() -> CheckResult:
    """Django's own deployment checks (``manage.py check --deploy``), in words."""
    messages = checks.run_checks(include_deployment_checks=True)
    found = [m for m in messages if m.level >= checks.WARNING and not m.is_silenced()]
    words = []
    for message in found:
        text = (
            DEPLOY_CHECK_WORDS.get(message.id) or str(message.msg).split(". ")[0].rstrip(".") + "."
        )
        if text not in words:
            words.append(text)
    return _result(
        "Django's deployment checks",
        [f"{len(words)} finding{'s' if len(words) != 1 else ''}:", *words] if words else [],
        "Every deployment check passed.",
    )


def check_backups() -> CheckResult:
    max_age = timedelta(hours=settings.SECURITY_BACKUP_MAX_AGE_HOURS)
    newest = BackupRecord.objects.order_by("-completed_at").first()
    if newest is None:
        return CheckResult(
            "Backups",
            False,
            "No backup recorded: the deployment's backup job has never reported a finished "
            "backup to the app.",
        )
    age = timezone.now() - newest.completed_at
    when = present.when(newest.completed_at)
    if age > max_age:
        return CheckResult(
            "Backups",
            False,
            f"The newest backup finished {when}, more than {_hours(max_age)} ago.",
        )
    return CheckResult("Backups", True, f"The newest backup finished {when}.")


def check_tls() -> CheckResult:
    problems = []
    if not settings.SECURE_SSL_REDIRECT:
        problems.append("Plain HTTP is not redirected to HTTPS.")
    if settings.SECURE_HSTS_SECONDS < MIN_HSTS_SECONDS:
        problems.append("Browsers are not told to keep to HTTPS for at least a year (HSTS).")
    if not settings.SESSION_COOKIE_SECURE:
        problems.append("The login cookie may travel over plain HTTP.")
    if not settings.CSRF_COOKIE_SECURE:
        problems.append("The forgery-protection cookie may travel over plain HTTP.")
    return _result(
        "HTTPS",
        problems,
        "HTTPS is required, kept by browsers for a year, and the cookies travel only over it.",
    )


CHECKS: tuple[Callable[[], CheckResult], ...] = (
    check_lockout,
    check_mfa_for_privileged,
    check_audit_chain,
    check_deployment,
    check_backups,
    check_tls,
)


def security_self_check_run(
    *,
    trigger: str,
    by: User | None = None,
    progress: Callable[[CheckResult], None] | None = None,
) -> SecurityCheckRun:
    """Run every check, keep the result, and record the run in the audit trail."""
    results = []
    for check in CHECKS:
        result = check()
        results.append(result)
        if progress is not None:
            progress(result)
    with transaction.atomic():
        run = SecurityCheckRun.objects.create(
            ran_at=timezone.now(),
            trigger=trigger,
            passed=all(result.passed for result in results),
            results=[asdict(result) for result in results],
        )
        audit.record(
            by,
            "security.self_check",
            target=run,
            details={
                "trigger": run.get_trigger_display(),
                "passed": run.passed,
                "failed": [result.name for result in results if not result.passed],
            },
        )
    return run


def backup_record(*, description: str = "", completed_at=None) -> BackupRecord:
    """Note a backup the deployment finished (``manage.py record_backup``)."""
    record = BackupRecord(completed_at=completed_at or timezone.now(), description=description)
    record.full_clean()
    record.save()
    return record


def _plural(label: str, count: int) -> str:
    return label if count == 1 else f"{label}s"


def _minutes(span: timedelta) -> str:
    minutes = int(span.total_seconds() // 60)
    return f"{minutes} minute{'s' if minutes != 1 else ''}"


def _hours(span: timedelta) -> str:
    hours = int(span.total_seconds() // 3600)
    return f"{hours} hour{'s' if hours != 1 else ''}"
