"""Suspicious-activity rules: each login attempt, lockout and API-key failure burst is checked.

django-axes records the raw events (``AccessFailureLog`` for each failure, ``AccessLog`` for
each success); the receivers in ``accounts/receivers.py`` hand every event to a function here,
which reads the recent events of that person with one or two indexed queries and opens an
``Investigation`` when a rule in ``settings.SUSPICIOUS_ACTIVITY_RULES`` matches.

A high-severity rule suspends the account at once, as a provisional step that a person must
confirm or lift (``accounts/investigations.py``). Only rules that need a *successful* login can
suspend: a lockout or an API-key burst is something anyone can cause with a victim's e-mail
address, and must never let an attacker lock someone out of their account.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from axes.models import AccessFailureLog, AccessLog
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.db import connection, transaction
from django.utils import timezone

import audit
from accounts.models import Investigation, User
from accounts.services import user_suspend
from common.client_ip import client_ip

# Keep an open investigation's evidence bounded: a lockout repeats at every attempt while an
# attacker keeps trying, and nobody reads the ten-thousandth identical line.
EVIDENCE_LIMIT = 200

# Rules that can suspend an account when their severity is "high": each needs the password.
# "lockout" and "api_key_failure_burst" never suspend, whatever their configured severity.
SUSPENDING_RULES = frozenset(
    {"success_after_distributed_failures", "many_ips_in_hour", "privileged_new_ip"}
)

EVENT_LABELS = {
    "login_failed": "Failed login",
    "login_succeeded": "Successful login",
    "locked_out": "Locked out",
    "api_key_failures": "Failed API-key authentications",
}

RULE_LABELS = {
    "lockout": "Lockout",
    "success_after_distributed_failures": "Login after failures from several IPs",
    "many_ips_in_hour": "Logins from many IPs within an hour",
    "privileged_new_ip": "Privileged login from a new IP",
    "api_key_failure_burst": "Burst of failed API-key authentications",
}


def rule_config(rule: str) -> dict:
    """The settings of one rule (settings.SUSPICIOUS_ACTIVITY_RULES); a missing rule is off."""
    return settings.SUSPICIOUS_ACTIVITY_RULES.get(rule, {"enabled": False})


def review_window() -> timedelta:
    return timedelta(hours=settings.SUSPICIOUS_ACTIVITY_REVIEW_HOURS)


@dataclass(frozen=True)
class Event:
    """One line of evidence: what happened, when, from where."""

    time: datetime
    ip: str | None
    event: str
    user_agent: str = ""
    count: int | None = None

    def as_evidence(self) -> dict:
        item = {"time": self.time.isoformat(), "ip": self.ip, "event": self.event}
        if self.user_agent:
            item["user_agent"] = self.user_agent[:255]
        if self.count is not None:
            item["count"] = self.count
        return item


def _evidence_key(item: dict) -> tuple:
    return (item.get("time"), item.get("ip"), item.get("event"))


def _merge_evidence(existing: list, new: list[Event]) -> list:
    """Old and new evidence, each event once, oldest first, the newest ``EVIDENCE_LIMIT``."""
    merged = {_evidence_key(item): item for item in existing}
    for event in new:
        item = event.as_evidence()
        merged.setdefault(_evidence_key(item), item)
    ordered = sorted(merged.values(), key=lambda item: item.get("time") or "")
    return ordered[-EVIDENCE_LIMIT:]


# --- Reading the request ------------------------------------------------------------------


def _request_ip(request) -> str | None:
    ip = getattr(request, "axes_ip_address", None)
    if ip is None and request is not None:
        ip = client_ip(request)
    return ip or None


def _request_time(request) -> datetime:
    return getattr(request, "axes_attempt_time", None) or timezone.now()


def _request_user_agent(request) -> str:
    agent = getattr(request, "axes_user_agent", None)
    if agent is None and request is not None:
        agent = request.META.get("HTTP_USER_AGENT", "")
    return (agent or "")[:255]


# --- Opening investigations ---------------------------------------------------------------


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
        open_ones = Investigation.objects.select_for_update().filter(
            rule=rule, status=Investigation.Status.OPEN
        )
        if user is not None:
            open_ones = open_ones.filter(user=user)
        else:
            open_ones = open_ones.filter(user__isnull=True, ip_address=ip_address)
        investigation = open_ones.order_by("opened_at").first()
        if investigation is None:
            investigation = Investigation(
                user=user,
                organisation_id=user.organisation_id if user else None,
                rule=rule,
                severity=severity,
                summary=summary[:255],
                ip_address=ip_address,
                opened_at=now,
            )
            created = True
        else:
            created = False
        investigation.evidence = _merge_evidence(investigation.evidence, evidence)
        # Suspend only an account that can still log in; a suspended one stays as it is.
        suspend_now = suspends and user is not None and user.status == User.Status.ACTIVE
        if suspend_now:
            investigation.account_suspended = True
            investigation.review_due_at = now + review_window()
            investigation.reviewed_at = None
        investigation.full_clean()
        investigation.save()
        if created:
            audit.record(
                None,
                "investigation.open",
                target=investigation,
                details={
                    "rule": rule,
                    "severity": severity,
                    "account_suspended": suspend_now,
                },
            )
        if suspend_now:
            user_suspend(
                user=user,
                reason=suspend_reason or summary,
                by=None,
                automated=True,
                investigation=investigation,
            )
    return investigation


def _end_current_login(request, user: User) -> None:
    """The account was just held: log out the session this very login opened."""
    if request is None or not hasattr(request, "session"):
        return
    logout(request)
    messages.warning(
        request,
        "We noticed unusual activity on your account, so it is held pending review. "
        "We have e-mailed you what happens next and how to contest it.",
        fail_silently=True,
    )


# --- The events ---------------------------------------------------------------------------


def login_failed(*, request, username: str | None) -> None:
    """A failed login: add it to the evidence of any open investigation of that account.

    One query whether or not the account exists, so the answer takes the same time.
    """
    if not username or request is None:
        return
    event = Event(
        time=_request_time(request),
        ip=_request_ip(request),
        event="login_failed",
        user_agent=_request_user_agent(request),
    )
    open_ids = list(
        Investigation.objects.filter(
            status=Investigation.Status.OPEN, user__email=username
        ).values_list("pk", flat=True)
    )
    if not open_ids:
        return
    with transaction.atomic():
        for investigation in Investigation.objects.select_for_update().filter(
            pk__in=open_ids, status=Investigation.Status.OPEN
        ):
            investigation.evidence = _merge_evidence(investigation.evidence, [event])
            investigation.save(update_fields=["evidence"])


def login_locked_out(*, request, username: str | None, ip_address: str | None) -> None:
    """django-axes locked a (username, IP) pair: open a medium investigation, never suspend."""
    if not rule_config("lockout")["enabled"]:
        return
    ip = ip_address or _request_ip(request)
    now = _request_time(request)
    user = User.objects.filter(email=username).first() if username else None
    evidence = []
    if username:
        since = now - settings.AXES_COOLOFF_TIME
        failures = (
            AccessFailureLog.objects.filter(username=username, attempt_time__gte=since)
            .order_by("-attempt_time")
            .values_list("attempt_time", "ip_address", "user_agent")[:EVIDENCE_LIMIT]
        )
        # Failures against an address with no account stay out: they may name someone else.
        if user is not None:
            evidence = [Event(t, i, "login_failed", a) for t, i, a in failures]
    evidence.append(Event(now, ip, "locked_out", _request_user_agent(request)))
    if user is not None:
        summary = f"Logins to this account were locked out after repeated failures from {ip}"
    else:
        summary = f"Logins locked out for an e-mail address with no account, from {ip}"
    investigation_raise(
        rule="lockout", summary=summary, evidence=evidence, user=user, ip_address=ip
    )


def _closed_since(user: User, rule: str, since: datetime) -> datetime | None:
    """When a person last closed an investigation of this rule, if within the window.

    Events a person has already reviewed and cleared must not open a new one at once.
    """
    return (
        Investigation.objects.filter(
            user=user, rule=rule, status=Investigation.Status.CLOSED, closed_at__gte=since
        )
        .order_by("-closed_at")
        .values_list("closed_at", flat=True)
        .first()
    )


def login_succeeded(*, request, user: User) -> None:
    """A successful login: run the login rules on this user's recent attempts.

    Two indexed queries for everyone (recent failures, recent logins), one or two more for a
    privileged user; more only when a rule matches.
    """
    ip = _request_ip(request)
    if ip is None:
        return
    now = _request_time(request)
    success = Event(now, ip, "login_succeeded", _request_user_agent(request))
    distributed = rule_config("success_after_distributed_failures")
    many = rule_config("many_ips_in_hour")
    windows = [
        timedelta(minutes=rule["window_minutes"]) for rule in (distributed, many) if rule["enabled"]
    ]
    held = False

    if windows:
        since = now - max(windows)
        # Query 1: this user's successful logins in the longest window (the current one too).
        logins = [
            Event(t, i, "login_succeeded", a)
            for t, i, a in AccessLog.objects.filter(username=user.email, attempt_time__gte=since)
            .order_by("-attempt_time")
            .values_list("attempt_time", "ip_address", "user_agent")[:EVIDENCE_LIMIT]
        ][::-1]
        earlier = [login for login in logins if login.time < now]

        if distributed["enabled"]:
            # Failures since this user's previous success: those a success "follows".
            start = now - timedelta(minutes=distributed["window_minutes"])
            if earlier:
                start = max(start, earlier[-1].time)
            # Query 2: the failures in the window.
            failures = [
                Event(t, i, "login_failed", a)
                for t, i, a in AccessFailureLog.objects.filter(
                    username=user.email, attempt_time__gt=start, attempt_time__lte=now
                )
                .order_by("attempt_time")
                .values_list("attempt_time", "ip_address", "user_agent")[:EVIDENCE_LIMIT]
            ]
            ips = {failure.ip for failure in failures if failure.ip}
            if len(ips) >= distributed["distinct_ips"]:
                investigation_raise(
                    rule="success_after_distributed_failures",
                    summary=(
                        f"Successful login after failed logins from {len(ips)} IP addresses "
                        f"within {distributed['window_minutes']} minutes"
                    ),
                    evidence=[*failures, success],
                    user=user,
                    ip_address=ip,
                    suspend_reason="a successful login after failed logins from several places",
                )
                held = user.status == User.Status.SUSPENDED

        if many["enabled"] and not held:
            start = now - timedelta(minutes=many["window_minutes"])
            window = [login for login in logins if login.time >= start]
            ips = {login.ip for login in window if login.ip} | {ip}
            if len(ips) >= many["distinct_ips"]:
                cleared_at = _closed_since(user, "many_ips_in_hour", start)
                if cleared_at is not None:
                    window = [login for login in window if login.time > cleared_at]
                    ips = {login.ip for login in window if login.ip} | {ip}
            if len(ips) >= many["distinct_ips"]:
                investigation_raise(
                    rule="many_ips_in_hour",
                    summary=(
                        f"Successful logins from {len(ips)} IP addresses within "
                        f"{many['window_minutes']} minutes"
                    ),
                    evidence=[*window, success],
                    user=user,
                    ip_address=ip,
                    suspend_reason="successful logins from many places within an hour",
                )
                held = user.status == User.Status.SUSPENDED

    privileged = rule_config("privileged_new_ip")
    if privileged["enabled"] and user.is_privileged and not held:
        history = AccessLog.objects.filter(username=user.email, attempt_time__lt=now)
        # Not their very first login: a first login has no "usual" IP to differ from.
        if not history.filter(ip_address=ip).exists() and history.exists():
            investigation_raise(
                rule="privileged_new_ip",
                summary=f"{user.get_role_display()} logged in from an IP address not seen before",
                evidence=[success],
                user=user,
                ip_address=ip,
                suspend_reason="a login to a privileged account from a new place",
            )
            held = user.status == User.Status.SUSPENDED

    if held:
        _end_current_login(request, user)


def api_key_failure_burst(*, ip_address: str, failures: int) -> None:
    """Called when one IP has failed API-key authentication ``failures`` times in the window."""
    if not ip_address:
        return
    investigation_raise(
        rule="api_key_failure_burst",
        summary=f"Burst of failed API-key authentications from {ip_address}",
        evidence=[Event(timezone.now(), ip_address, "api_key_failures", count=failures)],
        ip_address=ip_address,
    )
