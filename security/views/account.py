"""The user's own security page (/account/security/): two-step login and sessions."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from security.models import UserSession
from security.selectors import backup_device, confirmed_totp, user_sessions_active
from security.services.sessions import user_session_end


@never_cache
@login_required
def security(request: HttpRequest) -> HttpResponse:
    user = request.user
    totp = confirmed_totp(user)
    backup = backup_device(user)
    return render(
        request,
        "security/account_security.html",
        {
            "sessions": user_sessions_active(user),
            "current_key": request.session.session_key,
            "totp": totp,
            "backup_left": backup.remaining if backup else 0,
            "idle_minutes": int(settings.BACKOFFICE_IDLE_TIMEOUT.total_seconds() // 60),
        },
    )


@login_required
@require_POST
def session_end(request: HttpRequest, session_id: int) -> HttpResponse:
    # Another user's session, or one already ended, is simply not there: 404.
    session = get_object_or_404(
        UserSession, pk=session_id, user=request.user, ended_at__isnull=True
    )
    if session.session_key == request.session.session_key:
        logout(request)
        messages.info(request, "You ended this session, so you are logged out.")
        return redirect(settings.LOGOUT_REDIRECT_URL)
    user_session_end(session=session, by=request.user)
    messages.success(request, f"The session on {session.device or 'an unknown device'} ended.")
    return redirect("account:security")
