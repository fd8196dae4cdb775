"""Signal receivers: each hands the event to sso's rules."""

from django.contrib import messages
from django.contrib.auth import BACKEND_SESSION_KEY, logout
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver

from sso.backends import SSO_BACKEND, SSO_RULE_PASSED
from sso.selectors import password_login_refused


@receiver(user_logged_in, dispatch_uid="sso.password_login_refused")
def end_a_password_session_sso_forbids(sender, request, user, **kwargs):
    """Any login that is not single sign-on (PasswordBackend refuses the password form's
    itself; an accepted invitation logs its person in too) ends at once for someone whose
    organisation requires single sign-on."""
    if request is None or not hasattr(request, "session") or getattr(user, SSO_RULE_PASSED, False):
        return
    if request.session.get(BACKEND_SESSION_KEY) == SSO_BACKEND or not password_login_refused(user):
        return
    logout(request)
    messages.info(
        request,
        "Your organisation logs in with single sign-on: log in through it here.",
        fail_silently=True,
    )
