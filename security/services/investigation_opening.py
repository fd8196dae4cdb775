"""Opening an investigation: one open per rule and subject, evidence merged into it, and the
provisional suspension a high-severity rule may impose (the rules are in rules.py).

A high-severity rule suspends the account at once, as a provisional step that a person must
confirm or lift (``security/services/investigations.py``). Only rules that need a *successful*
login can suspend: a lockout, a password spray or an API-key burst is something anyone can
cause with a victim's e-mail address, and must never let an attacker lock someone out.
"""

from datetime import timedelta

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

import audit
from accounts.models import User
from accounts.services.users import user_suspend
from security.models import Investigation
from security.services.evidence import Event, merge_evidence
from security.tasks import alert_staff_of_suspension

# Rules that can suspend an account when their severity is "high": each needs the password.
# "lockout", "api_key_failure_burst" and "password_spraying" never suspend, whatever their
# configured severity.
SUSPENDING_RULES = frozenset(
    {"success_after_distributed_failures", "many_ips_in_hour", "privileged_new_ip"}
)


def rule_config(rule: str) -> dict:
    """The settings of one rule (settings.SUSPICIOUS_ACTIVITY_RULES); a missing rule is off."""
    return settings.SUSPICIOUS_ACTIVITY_RULES.get(rule, {"enabled": False})


def review_window() -> timedelta:
    return timedelta(hours=settings.SUSPICIOUS_ACTIVITY_REVIEW_HOURS)


def _lock_subject(user: User | None, rule: str, ip_address: str | None) -> None:
    """Serialise rule runs for one subject, so two requests at once open one investigation."""
    if user is not None:
        # Lock the user's row, and read the status it has now, not when the request began.
        status = User.objects.select_for_update().filter(pk=user.pk).values_list("status")
        user.status = status.first()[0]
    elif connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [f"{rule}:{ip_address}"])
    # SQLite: the settings open every transaction IMMEDIATE, which takes the write lock.


def _open_investigation_locked(*, rule: str, user: User | None, ip_address: str | None):
    """The open investigation of ``rule`` for this user (or this IP when there is no user),
    locked until the transaction ends; None when there is none."""
    open_ones = Investigation.objects.select_for_update().filter(
        rule=rule, status=Investigation.Status.OPEN
    )
    if user is not None:
        open_ones = open_ones.filter(user=user)
    else:
        open_ones = open_ones.filter(user__isnull=True, ip_address=ip_address)
    return open_ones.order_by("opened_at").first()


def investigation_raise(
    *,
    rule: str,
    summary: str,
    evidence: list[Event],
    user: User | None = None,
    ip_address: str | None = None,
    suspend_reason: str = "",
) -> Investigation | None:
    """Open an investigation for ``rule``, or add the evidence to the one already open.

    One open investigation per user and rule (per IP and rule when there is no user). A
    high-severity rule from ``SUSPENDING_RULES`` suspends the account provisionally; the
    user is e-mailed that it is held pending review.
    """
    config = rule_config(rule)
    if not config["enabled"]:
        return None
    severity = config["severity"]
    suspends = severity == Investigation.Severity.HIGH and rule in SUSPENDING_RULES
    now = timezone.now()
    with transaction.atomic():
        _lock_subject(user, rule, ip_address)
        investigation = _open_investigation_locked(rule=rule, user=user, ip_address=ip_address)
        created = investigation is None
        if created:
            investigation = Investigation(
                user=user,
                organisation_id=user.organisation_id if user else None,
                rule=rule,
                severity=severity,
                summary=summary[:255],
                ip_address=ip_address,
                opened_at=now,
            )
        investigation.evidence = merge_evidence(investigation.evidence, evidence)
        # Suspend only an account that can still log in; a suspended one stays as it is.
        suspend_now = suspends and user is not None and user.status == User.Status.ACTIVE
        if suspend_now:
            investigation.account_suspended = True
            investigation.review_due_at = now + review_window()
            investigation.reviewed_at = None
            investigation.staff_alerted_at = None
            investigation.review_reminder_sent_at = None
        investigation.full_clean()
        investigation.save()
        if created:
            details = {"rule": rule, "severity": severity, "account_suspended": suspend_now}
            audit.record(None, "investigation.open", target=investigation, details=details)
        if suspend_now:
            user_suspend(
                user=user,
                reason=suspend_reason or summary,
                by=None,
                automated=True,
                investigation=investigation,
            )
            alert_staff_of_suspension.delay_on_commit(investigation.pk)
    return investigation
