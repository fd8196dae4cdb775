"""Signal receivers: each one only hands the event to a service.

django-axes and django.contrib.auth send the login events; accounts sends the account events
(accounts/signals.py), because accounts may not import security.
"""

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from accounts.signals import (
    api_key_failures_reached_limit,
    staff_assignments_must_return,
    user_sessions_must_end,
)
from security.services import investigations, lockout, mfa, notices, rules, sessions

# --- Sessions and lockout notices (security/services/sessions.py, lockout.py) --------------


@receiver(user_logged_in, dispatch_uid="security.sessions.start")
def session_start_on_login(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session"):
        sessions.user_session_start(request=request, user=user)
        mfa.remember_devices(request=request, user=user)
        notices.login_place_check(request=request, user=user)


@receiver(user_logged_out, dispatch_uid="security.sessions.finish")
def session_finish_on_logout(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session"):
        sessions.user_session_finish(request=request)


@receiver(user_sessions_must_end, dispatch_uid="security.sessions.end_all")
def sessions_end_on_account_change(sender, user, **kwargs):
    sessions.user_sessions_end(user=user)


@receiver(staff_assignments_must_return, dispatch_uid="security.investigations.return")
def investigations_return_on_offboarding(sender, user, by, **kwargs):
    investigations.investigations_return_to_queue(assignee=user, by=by)


@receiver(user_locked_out, dispatch_uid="security.lockout.notice")
def lockout_notice_on_lockout(sender, request, username, ip_address, **kwargs):
    lockout.lockout_notice(request=request, username=username)


# --- Suspicious activity (security/services/rules.py) --------------------------------------
# Keep these receivers last in this module (receivers run in the order they are connected):
# a rule that holds an account logs out the session the login has just opened, so the
# receivers that record that session must have run first.


@receiver(user_logged_in, dispatch_uid="security.security.login_succeeded")
def suspicious_activity_on_login(sender, request, user, **kwargs):
    rules.login_succeeded(request=request, user=user)


@receiver(user_login_failed, dispatch_uid="security.security.login_failed")
def suspicious_activity_on_login_failure(sender, credentials, request=None, **kwargs):
    rules.login_failed(request=request, username=(credentials or {}).get("username"))


@receiver(user_locked_out, dispatch_uid="security.security.locked_out")
def suspicious_activity_on_lockout(sender, request, username, ip_address, **kwargs):
    rules.login_locked_out(request=request, username=username, ip_address=ip_address)


@receiver(api_key_failures_reached_limit, dispatch_uid="security.rules.api_key_failure_burst")
def suspicious_activity_on_api_key_failures(sender, ip_address, failures, **kwargs):
    rules.api_key_failure_burst(ip_address=ip_address, failures=failures)
