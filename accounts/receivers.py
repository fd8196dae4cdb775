"""Signal receivers: each one only hands the event to a service."""

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from accounts import lockout, mfa, security, user_sessions

# --- Sessions and lockout notices (accounts/user_sessions.py, accounts/lockout.py) ------


@receiver(user_logged_in, dispatch_uid="accounts.user_sessions.start")
def session_start_on_login(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session"):
        user_sessions.user_session_start(request=request, user=user)
        mfa.remember_devices(request=request, user=user)


@receiver(user_logged_out, dispatch_uid="accounts.user_sessions.finish")
def session_finish_on_logout(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session"):
        user_sessions.user_session_finish(request=request)


@receiver(user_locked_out, dispatch_uid="accounts.lockout.notice")
def lockout_notice_on_lockout(sender, request, username, ip_address, **kwargs):
    lockout.lockout_notice(request=request, username=username)


# --- Suspicious activity (accounts/security.py) -------------------------------------------
# Keep these receivers last in this module (receivers run in the order they are connected):
# a rule that holds an account logs out the session the login has just opened, so the
# receivers that record that session must have run first.


@receiver(user_logged_in, dispatch_uid="accounts.security.login_succeeded")
def suspicious_activity_on_login(sender, request, user, **kwargs):
    security.login_succeeded(request=request, user=user)


@receiver(user_login_failed, dispatch_uid="accounts.security.login_failed")
def suspicious_activity_on_login_failure(sender, credentials, request=None, **kwargs):
    security.login_failed(request=request, username=(credentials or {}).get("username"))


@receiver(user_locked_out, dispatch_uid="accounts.security.locked_out")
def suspicious_activity_on_lockout(sender, request, username, ip_address, **kwargs):
    security.login_locked_out(request=request, username=username, ip_address=ip_address)
