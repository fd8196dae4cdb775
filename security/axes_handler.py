"""django-axes' database handler (settings.AXES_HANDLER), a successful login's clean-up in one
statement.

On a successful login axes deletes everyone's expired attempts, then this person's attempts,
each through Django's deletion collector: a SELECT each, even when there is nothing to delete
(as after almost every login), then a DELETE when there is. Here both are one DELETE. The
collector has nothing to find: an attempt has no rows that depend on it unless
AXES_USE_ATTEMPT_EXPIRATION is on (then axes' own clean-up runs), and the database handler's
delete signal does nothing.
"""

from axes.attempts import get_cool_off_threshold
from axes.conf import settings
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_session_hash, get_credentials
from axes.models import AccessAttempt, AccessLog
from django.db import router
from django.db.models import Q


class LoginCleanUpInOneStatementHandler(AxesDatabaseHandler):
    def user_logged_in(self, sender, request, user, **kwargs):
        if (
            settings.AXES_USE_ATTEMPT_EXPIRATION
            or settings.AXES_COOLOFF_TIME is None
            or not settings.AXES_RESET_ON_SUCCESS
        ):
            return super().user_logged_in(sender, request, user, **kwargs)
        username = user.get_username()
        if not settings.AXES_DISABLE_ACCESS_LOG:
            AccessLog.objects.create(
                username=username,
                ip_address=request.axes_ip_address,
                user_agent=request.axes_user_agent,
                http_accept=request.axes_http_accept,
                path_info=request.axes_path_info,
                attempt_time=request.axes_attempt_time,
                session_hash=get_client_session_hash(request),
            )
        stale = Q(attempt_time__lte=get_cool_off_threshold(request))
        for attempts in self.filter_user_attempts(request, get_credentials(username)):
            stale |= Q(pk__in=attempts.values("pk"))
        AccessAttempt.objects.filter(stale)._raw_delete(router.db_for_write(AccessAttempt))
        return None
