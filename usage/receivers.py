"""Logins, logouts and failed logins become usage events. Receivers only hand over."""

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.core.signals import request_finished
from django.dispatch import receiver

from accounts.models import User, UserManager
from usage.middleware import request_events_hand_over, usage_record
from usage.models import Action
from usage.signals import usage_days_touched
from usage.tasks import rollup_touched_usage_days


@receiver(user_logged_in, dispatch_uid="usage.login")
def record_login(sender, request, user, **kwargs):
    if request is not None:
        usage_record(request, action=Action.LOGIN, user=user)


@receiver(user_logged_out, dispatch_uid="usage.logout")
def record_logout(sender, request, user, **kwargs):
    if request is not None and user is not None:
        usage_record(request, action=Action.LOGOUT, user=user)


@receiver(user_login_failed, dispatch_uid="usage.login_failed")
def record_login_failed(sender, credentials, request=None, **kwargs):
    email = UserManager.normalize_email(credentials.get("username"))
    if request is None or not email:
        return
    user = User.objects.filter(email=email).only("pk", "organisation_id").first()
    if user is not None:
        usage_record(request, action=Action.LOGIN_FAILED, user=user)


@receiver(request_finished, dispatch_uid="usage.request_finished")
def hand_over_request_events(sender, **kwargs):
    # Sent by HttpResponse.close(), after the response has gone to the client. Django's own
    # close_old_connections receiver runs first, so a database write made here (the embedded
    # mode, or the fallback when Redis is down) opens a connection that the next request's
    # request_started closes, as it does any connection past its CONN_MAX_AGE.
    request_events_hand_over()


@receiver(usage_days_touched, dispatch_uid="usage.days_touched")
def queue_touched_days_rollup(sender, **kwargs):
    # After commit: the marks are there for the task to read.
    rollup_touched_usage_days.delay()
