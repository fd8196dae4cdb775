"""security's reads: the investigations queue and one investigation's evidence and outcomes,
a user's sessions and two-step login devices."""

import functools
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.contrib.sessions.models import Session
from django.db import connection
from django.db.models import Case, Exists, IntegerField, OuterRef, Q, QuerySet, Value, When
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django_otp import device_classes
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp_webauthn.models import WebAuthnCredential

from accounts.models import STAFF_ROLES, User
from accounts.selectors import actor_decides
from security.models import BackupCodeDevice, Investigation, SecurityCheckRun, UserSession
from security.services.evidence import EVENT_LABELS

Outcome = Investigation.Outcome

# Outcomes that need an account, and the account state they need.
OUTCOMES_FOR_ACCOUNT_STATUS = {
    User.Status.SUSPENDED: [
        Outcome.CLEARED,
        Outcome.CONFIRMED_SUSPENDED,
        Outcome.CONFIRMED_TERMINATED,
        Outcome.ESCALATED_BREACH,
    ],
    User.Status.ACTIVE: [Outcome.CLEARED, Outcome.CONFIRMED_TERMINATED, Outcome.ESCALATED_BREACH],
    User.Status.INVITED: [
        Outcome.CLEARED,
        Outcome.CONFIRMED_TERMINATED,
        Outcome.ESCALATED_BREACH,
    ],
    User.Status.TERMINATED: [Outcome.CLEARED, Outcome.ESCALATED_BREACH],
}
OUTCOMES_WITHOUT_ACCOUNT = [Outcome.CLEARED, Outcome.ESCALATED_BREACH]


# --- Investigations -----------------------------------------------------------------------


def is_investigator(actor) -> bool:
    """DPO and support staff work investigations; nobody else does."""
    return bool(
        actor
        and getattr(actor, "is_authenticated", False)
        and isinstance(actor, User)
        and actor.is_active
        and actor.role in STAFF_ROLES
    )


def investigations_for_queue(status: str = "open") -> QuerySet[Investigation]:
    """The back-office list: overdue reviews first, then the newest.

    ``status`` is "open", "closed" or "all".
    """
    now = timezone.now()
    investigations = Investigation.objects.select_related("user", "organisation", "assignee")
    if status in Investigation.Status.values:
        investigations = investigations.filter(status=status)
    overdue = Q(
        status=Investigation.Status.OPEN,
        account_suspended=True,
        reviewed_at__isnull=True,
        review_due_at__lt=now,
    )
    return investigations.annotate(
        overdue=Case(When(overdue, then=Value(1)), default=Value(0), output_field=IntegerField())
    ).order_by("-overdue", "-opened_at", "-pk")


@dataclass(frozen=True)
class EvidenceRow:
    time: datetime | None
    event: str
    ip: str
    user_agent: str
    count: int | None


def evidence_rows(investigation: Investigation) -> list[EvidenceRow]:
    """The evidence as table rows, newest first, times as datetimes (shown in UK time)."""
    rows = [
        EvidenceRow(
            time=parse_datetime(item.get("time") or ""),
            event=EVENT_LABELS.get(item.get("event"), item.get("event") or ""),
            ip=item.get("ip") or "",
            user_agent=item.get("user_agent") or "",
            count=item.get("count"),
        )
        for item in investigation.evidence or []
        if isinstance(item, dict)
    ]
    return sorted(rows, key=lambda row: row.time or timezone.now(), reverse=True)


def outcomes_available(investigation: Investigation, by=None) -> list[Outcome]:
    """The outcomes that make sense for this investigation's account as it is now; opening a
    breach is the DPO's decision, so support (``by``) is not offered the escalation."""
    if investigation.user is None:
        outcomes = list(OUTCOMES_WITHOUT_ACCOUNT)
    else:
        outcomes = list(OUTCOMES_FOR_ACCOUNT_STATUS.get(investigation.user.status, []))
    if by is not None and not actor_decides(by):
        outcomes = [outcome for outcome in outcomes if outcome != Outcome.ESCALATED_BREACH]
    return outcomes


# --- Sessions and two-step login ----------------------------------------------------------


def is_idle_limited(user) -> bool:
    """Back-office and admin sessions end after settings.BACKOFFICE_IDLE_TIMEOUT idle."""
    return bool(user.is_superuser or user.role in STAFF_ROLES)


def user_sessions_active(user: User) -> QuerySet[UserSession]:
    """The user's sessions that can still be used: not ended, not expired, not idle too long."""
    now = timezone.now()
    alive = Session.objects.filter(session_key=OuterRef("session_key"), expire_date__gt=now)
    sessions = UserSession.objects.filter(user=user, ended_at__isnull=True).filter(Exists(alive))
    if is_idle_limited(user):
        sessions = sessions.filter(last_seen_at__gt=now - settings.BACKOFFICE_IDLE_TIMEOUT)
    return sessions.order_by("-last_seen_at")


@functools.cache
def _any_confirmed_device_sql() -> str:
    """One EXISTS for every kind of device django-otp knows (each a Device: a user and a
    confirmed flag), OR-ed."""
    quote = connection.ops.quote_name
    kinds = [
        (
            quote(model._meta.db_table),
            quote(model._meta.get_field("user").column),
            quote(model._meta.get_field("confirmed").column),
        )
        for model in device_classes()
    ]
    # Our models' own table and column names; the user's id is a parameter.
    exists = "EXISTS (SELECT 1 FROM {} WHERE {} = %s AND {})"
    return "SELECT " + " OR ".join(exists.format(*kind) for kind in kinds)


def user_has_confirmed_device(user) -> bool:
    """django_otp's user_has_device in one statement, where it sends one per kind of device
    (authenticator, passkey, backup codes). Written once per process: built with the ORM, its
    three subqueries cost every login several times what PostgreSQL spends answering them."""
    if user.is_anonymous:
        return False
    sql = _any_confirmed_device_sql()
    with connection.cursor() as cursor:
        cursor.execute(sql, [user.pk] * sql.count("%s"))
        return bool(cursor.fetchone()[0])


def confirmed_totp(user: User) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def backup_device(user: User) -> BackupCodeDevice | None:
    return BackupCodeDevice.objects.filter(user=user, confirmed=True).first()


def user_passkeys(user: User) -> QuerySet[WebAuthnCredential]:
    """The user's passkeys, oldest first; never their keys, only what the pages show."""
    return (
        WebAuthnCredential.objects.filter(user=user, confirmed=True)
        .only("name", "created_at", "last_used_at", "user_id")
        .order_by("created_at", "pk")
    )


def passkey_sign_in_allowed(user: User) -> bool:
    """May ``user`` sign in with a passkey alone? Their organisation decides (the console's
    settings); staff, who have none, may when settings.PASSKEY_SIGN_IN_STAFF is on."""
    if not user.is_active:
        return False
    if user.organisation_id is None:
        return settings.PASSKEY_SIGN_IN_STAFF
    return user.organisation.passkey_sign_in


def suspension_alert_recipients() -> list[str]:
    """Who is told of a provisional suspension: the DPO's mailbox and every active DPO and
    support account, each address once."""
    staff = User.objects.filter(role__in=STAFF_ROLES, status=User.Status.ACTIVE)
    addresses = [settings.DPO_EMAIL, *staff.order_by("email").values_list("email", flat=True)]
    return list(dict.fromkeys(addresses))


def suspensions_due_for_reminder(now: datetime) -> QuerySet[Investigation]:
    """Open provisional suspensions still unreviewed at their review time, not yet reminded."""
    return Investigation.objects.filter(
        status=Investigation.Status.OPEN,
        account_suspended=True,
        reviewed_at__isnull=True,
        review_due_at__lte=now,
        review_reminder_sent_at__isnull=True,
    )


def suspensions_not_alerted() -> QuerySet[Investigation]:
    """Open provisional suspensions, unreviewed, whose opening alert has not gone out."""
    return Investigation.objects.filter(
        status=Investigation.Status.OPEN,
        account_suspended=True,
        reviewed_at__isnull=True,
        staff_alerted_at__isnull=True,
    )


def security_check_runs(limit: int = 10) -> list[SecurityCheckRun]:
    """The newest runs of the security self-check, newest first."""
    return list(SecurityCheckRun.objects.order_by("-ran_at")[:limit])


def security_check_latest() -> SecurityCheckRun | None:
    return SecurityCheckRun.objects.order_by("-ran_at").first()
