"""Suspicious-activity rules: each login attempt, lockout and API-key failure burst is checked.

django-axes records the raw events (``AccessFailureLog`` for each failure, ``AccessLog`` for
each success); the receivers in ``security/receivers.py`` hand every event to a function here,
which reads the recent events with one or two indexed queries and opens an ``Investigation``
(security/services/investigation_opening.py) when a rule in
``settings.SUSPICIOUS_ACTIVITY_RULES`` matches. Each rule is one function
(``rule_<what it notices>``); the settings switch it on and set its thresholds, and
``security.models.RULE_LABELS`` names it on the back office's investigation pages.

Only rules that need a *successful* login can suspend an account: a lockout, a password spray
or an API-key burst is something anyone can cause with a victim's e-mail address.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from axes.models import AccessFailureLog, AccessLog
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.db import transaction
from django.db.models import Count, DateTimeField, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from accounts.models import User
from security.models import Investigation
from security.services.evidence import (
    EVIDENCE_LIMIT,
    Event,
    merge_evidence,
    request_ip,
    request_time,
    request_user_agent,
)
from security.services.investigation_opening import investigation_raise, rule_config
from security.services.login_throttle import login_throttle


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
    """A failed login: add it to the evidence of any open investigation of that account, then
    run each enabled failure rule (``FAILURE_RULES``).

    One query whether or not the account exists, so the answer takes the same time; one more
    for the password-spraying count.
    """
    if not username or request is None:
        return
    event = Event(
        time=request_time(request),
        ip=request_ip(request),
        event="login_failed",
        user_agent=request_user_agent(request),
    )
    open_ids = list(
        Investigation.objects.filter(
            status=Investigation.Status.OPEN, user__email=username
        ).values_list("pk", flat=True)
    )
    if open_ids:
        with transaction.atomic():
            for investigation in Investigation.objects.select_for_update().filter(
                pk__in=open_ids, status=Investigation.Status.OPEN
            ):
                investigation.evidence = merge_evidence(investigation.evidence, [event])
                investigation.save(update_fields=["evidence"])
    failure = Failure(request=request, ip=event.ip, time=event.time)
    for name, rule in FAILURE_RULES.items():
        config = rule_config(name)
        if config["enabled"]:
            rule(failure, config)


# --- The failure rules: one function each, run on every failed login ----------------------


@dataclass
class Failure:
    """One failed login (django-axes has already logged it), as the failure rules read it."""

    request: object
    ip: str | None
    time: datetime


def rule_password_spraying(failure: Failure, config: dict) -> None:
    """One IP failing logins against ``distinct_accounts`` e-mail addresses within the window.

    The IP is investigated and its logins refused for ``throttle_minutes``; the accounts are
    not locked, so their owners log in from anywhere else as usual. Addresses with no account
    count too (a spray does not know which exist), and none is named in the evidence.
    """
    if not failure.ip:
        return
    since = failure.time - timedelta(minutes=config["window_minutes"])
    failures = AccessFailureLog.objects.filter(ip_address=failure.ip, attempt_time__gte=since)
    accounts = failures.order_by().values("username").distinct().count()
    if accounts < config["distinct_accounts"]:
        return
    login_throttle(ip_address=failure.ip, minutes=config["throttle_minutes"])
    evidence = [
        Event(t, i, "login_failed", a)
        for t, i, a in failures.order_by("-attempt_time").values_list(
            "attempt_time", "ip_address", "user_agent"
        )[:EVIDENCE_LIMIT]
    ]
    agent = request_user_agent(failure.request)
    evidence.append(Event(failure.time, failure.ip, "password_spraying", agent, count=accounts))
    investigation_raise(
        rule="password_spraying",
        summary=(
            f"Failed logins against {accounts} e-mail addresses from {failure.ip} within "
            f"{config['window_minutes']} minutes; its logins refused for "
            f"{config['throttle_minutes']} minutes"
        ),
        evidence=evidence,
        ip_address=failure.ip,
    )


FAILURE_RULES: dict[str, Callable[[Failure, dict], None]] = {
    "password_spraying": rule_password_spraying,
}


def login_locked_out(*, request, username: str | None, ip_address: str | None) -> None:
    """django-axes locked a (username, IP) pair: open a medium investigation, never suspend."""
    if not rule_config("lockout")["enabled"]:
        return
    ip = ip_address or request_ip(request)
    now = request_time(request)
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
    evidence.append(Event(now, ip, "locked_out", request_user_agent(request)))
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


# --- The login rules: one function each, run in this order on every successful login ------


@dataclass
class Login:
    """One successful login, as the login rules read it."""

    request: object
    user: User
    ip: str
    time: datetime

    @property
    def event(self) -> Event:
        return Event(self.time, self.ip, "login_succeeded", request_user_agent(self.request))

    def logins_since(self, since: datetime) -> QuerySet[AccessLog]:
        """This user's successful logins from ``since`` (this one too)."""
        return AccessLog.objects.filter(username=self.user.email, attempt_time__gte=since)


def _events(rows: QuerySet, event: str) -> list[Event]:
    """Evidence lines for axes' log rows, oldest first (the newest ``EVIDENCE_LIMIT``)."""
    rows = rows.order_by("-attempt_time").values_list("attempt_time", "ip_address", "user_agent")
    return [Event(t, i, event, a) for t, i, a in rows[:EVIDENCE_LIMIT]][::-1]


# A login rule asks the database how many places its events came from, in one aggregate; the
# events themselves are read only when that makes the rule hold, as its evidence.
# (An address axes could not read is stored as NULL, which COUNT passes over.)
_DISTINCT_IPS = Count("ip_address", distinct=True)


def _places(logins: QuerySet[AccessLog], ip: str) -> int:
    """How many IP addresses ``logins`` came from, counting ``ip`` (this login's) once."""
    return logins.exclude(ip_address=ip).aggregate(ips=_DISTINCT_IPS)["ips"] + 1


def rule_success_after_distributed_failures(login: Login, config: dict) -> None:
    """A success that follows failed logins from ``distinct_ips`` IPs within the window."""
    # Failures since this user's previous success within the window: those a success "follows".
    start = login.time - timedelta(minutes=config["window_minutes"])
    previous = login.logins_since(start).filter(attempt_time__lt=login.time)
    followed = Coalesce(
        Subquery(previous.order_by("-attempt_time").values("attempt_time")[:1]),
        Value(start),
        output_field=DateTimeField(),
    )
    failures = AccessFailureLog.objects.filter(
        username=login.user.email, attempt_time__gt=followed, attempt_time__lte=login.time
    )
    ips = failures.aggregate(ips=_DISTINCT_IPS)["ips"]
    if ips >= config["distinct_ips"]:
        investigation_raise(
            rule="success_after_distributed_failures",
            summary=(
                f"Successful login after failed logins from {ips} IP addresses "
                f"within {config['window_minutes']} minutes"
            ),
            evidence=[*_events(failures, "login_failed"), login.event],
            user=login.user,
            ip_address=login.ip,
            suspend_reason="a successful login after failed logins from several places",
        )


def rule_many_ips_in_hour(login: Login, config: dict) -> None:
    """Successful logins from ``distinct_ips`` IPs within the window (this one included)."""
    start = login.time - timedelta(minutes=config["window_minutes"])
    window = login.logins_since(start)
    ips = _places(window, login.ip)
    if ips >= config["distinct_ips"]:
        # Logins a person has already reviewed and cleared do not count again.
        cleared_at = _closed_since(login.user, "many_ips_in_hour", start)
        if cleared_at is not None:
            window = window.filter(attempt_time__gt=cleared_at)
            ips = _places(window, login.ip)
    if ips >= config["distinct_ips"]:
        investigation_raise(
            rule="many_ips_in_hour",
            summary=(
                f"Successful logins from {ips} IP addresses within "
                f"{config['window_minutes']} minutes"
            ),
            evidence=[*_events(window, "login_succeeded"), login.event],
            user=login.user,
            ip_address=login.ip,
            suspend_reason="successful logins from many places within an hour",
        )


def rule_privileged_new_ip(login: Login, config: dict) -> None:
    """A privileged user logs in from an IP their earlier logins never came from."""
    user = login.user
    if not user.is_privileged:
        return
    history = AccessLog.objects.filter(username=user.email, attempt_time__lt=login.time)
    # Not their very first login: a first login has no "usual" IP to differ from.
    if not history.filter(ip_address=login.ip).exists() and history.exists():
        investigation_raise(
            rule="privileged_new_ip",
            summary=f"{user.get_role_display()} logged in from an IP address not seen before",
            evidence=[login.event],
            user=user,
            ip_address=login.ip,
            suspend_reason="a login to a privileged account from a new place",
        )


LOGIN_RULES: dict[str, Callable[[Login, dict], None]] = {
    "success_after_distributed_failures": rule_success_after_distributed_failures,
    "many_ips_in_hour": rule_many_ips_in_hour,
    "privileged_new_ip": rule_privileged_new_ip,
}


def login_succeeded(*, request, user: User) -> None:
    """A successful login: run each enabled login rule on this user's recent attempts.

    Two indexed aggregates for everyone (the places of the failures since the previous
    success, and of the recent logins), one or two more queries for a privileged user; the
    events themselves only when a rule matches. Once a rule holds the account, the rules
    after it do not run and the session this login opened ends.
    """
    ip = request_ip(request)
    if ip is None:
        return
    login = Login(request=request, user=user, ip=ip, time=request_time(request))
    for name, rule in LOGIN_RULES.items():
        config = rule_config(name)
        if not config["enabled"]:
            continue
        rule(login, config)
        if user.status == User.Status.SUSPENDED:
            _end_current_login(request, user)
            return


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
