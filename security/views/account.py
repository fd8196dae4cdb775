"""The user's own security page (/account/security/): two-step login, passkeys and sessions."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from common.origin import request_origin
from common.redirects import safe_next
from common.steps import form_step
from security.forms import PasskeyNameForm
from security.models import UserSession
from security.selectors import (
    backup_device,
    confirmed_totp,
    passkey_sign_in_allowed,
    user_has_confirmed_device,
    user_passkeys,
    user_sessions_active,
)
from security.services import mfa
from security.services.passkeys import passkey_remove, passkey_rename
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
            "passkeys": user_passkeys(user),
            "passkey_sign_in": passkey_sign_in_allowed(user),
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


# --- Passkeys -------------------------------------------------------------------------


def _own_passkey(request: HttpRequest, pk: int):
    # Someone else's passkey is simply not there: 404.
    return get_object_or_404(user_passkeys(request.user), pk=pk)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def passkey_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One passkey: its name (given here, right after adding it, or changed later)."""
    passkey = _own_passkey(request, pk)
    next_url = safe_next(request, reverse("account:security"))
    form = PasskeyNameForm(
        request.POST if request.method == "POST" else None, initial={"name": passkey.name}
    )
    return form_step(
        request,
        form,
        run=lambda: passkey_rename(
            passkey=passkey, name=form.cleaned_data["name"], by=request.user
        ),
        success_message=lambda renamed: f"The passkey is called “{renamed.name}”.",
        redirect_to=next_url,
        render_form=lambda form: render(
            request,
            "security/passkey_detail.html",
            {"passkey": passkey, "form": form, "next": next_url},
            status=400 if form.errors else 200,
        ),
    )


@login_required
@require_POST
def passkey_delete(request: HttpRequest, pk: int) -> HttpResponse:
    passkey = _own_passkey(request, pk)
    name = passkey.name
    try:
        turned_off = passkey_remove(
            passkey=passkey, by=request.user, origin=request_origin(request)
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("account:passkey", pk=pk)
    request.session[mfa.SESSION_HAS_DEVICE] = user_has_confirmed_device(request.user)
    done = f"The passkey “{name}” was removed: it no longer signs you in."
    if turned_off:
        done += " Two-step login is now off."
    messages.success(request, done)
    return redirect("account:security")
