"""Login, two-step login and passwords (/accounts/…)."""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from accounts.selectors import workspace_url
from common.client_ip import client_ip
from common.origin import request_origin
from common.redirects import safe_next
from cookies.remember import remember_visitor, remembered_visitor
from security.forms import (
    LoginForm,
    OtpEnrolForm,
    OtpVerifyForm,
    PasswordChangeForm,
    PasswordResetRequestForm,
    PasswordResetSetForm,
)
from security.models import BackupCodeDevice
from security.selectors import (
    backup_device,
    confirmed_totp,
    user_has_confirmed_device,
    user_passkeys,
)
from security.services import mfa
from security.services.login_throttle import login_throttled_for
from security.services.passwords import user_password_change
from sso.selectors import connection_for_email
from sso.views.login import continue_to_sso


def _with_next(url_name: str, next_url: str) -> str:
    url = reverse(url_name)
    return f"{url}?{urlencode({'next': next_url})}" if next_url else url


def _second_step(request: HttpRequest, next_url: str) -> str | None:
    """Where a logged-in but unverified user must go first, if anywhere."""
    step = mfa.second_step(request)
    return _with_next(step, next_url) if step else None


# --- Login ------------------------------------------------------------------------


class LoginView(auth_views.LoginView):
    template_name = "security/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True
    # False on /accounts/login/password/, where the break-glass admin of an organisation that
    # requires single sign-on logs in with a password.
    sso_routing = True

    def post(self, request, *args, **kwargs):
        if wait := login_throttled_for(client_ip(request)):
            return login_throttled(request, wait)
        connection = self._single_sign_on_route()
        if connection is not None:
            return continue_to_sso(request, connection, safe_next(request))
        return super().post(request, *args, **kwargs)

    def _single_sign_on_route(self):
        """An address in an SSO organisation's verified domain goes to its IdP: always when
        the organisation requires it, else when no password was typed. By domain only, so the
        answer tells nothing of who has an account."""
        if not self.sso_routing:
            return None
        connection = connection_for_email(self.request.POST.get("username"))
        password_typed = bool(self.request.POST.get("password"))
        if connection is None or (password_typed and not connection.sso_required):
            return None
        return connection

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "sso_routing": self.sso_routing}

    def get_initial(self):
        # The address this browser last logged in with, with functionality consent: the
        # visitor's own, typed here before, so it tells no one which addresses have accounts.
        initial = super().get_initial()
        visitor = remembered_visitor(self.request)
        if visitor is not None:
            initial["username"] = visitor.email
        return initial

    def get_form(self, form_class=None):
        form = super().get_form(form_class)
        if form.initial.get("username") and not form.is_bound:
            form.fields["username"].widget.attrs.pop("autofocus", None)
            form.fields["password"].widget.attrs["autofocus"] = True
        return form

    def form_valid(self, form):
        # Everything a login writes (the session, django-axes' log, last_login, the session
        # record, the suspicious-activity rules' marks) commits once: each commit waits for the
        # database's log to reach the disk, and five of them cost more than the rest of a login.
        with transaction.atomic():
            return self._logged_in(form)

    def _logged_in(self, form):
        key_before = self.request.session.session_key
        response = super().form_valid(form)
        user = self.request.user
        if not user.is_authenticated:
            # A suspicious-activity rule held the account during this very login.
            return redirect("accounts:login")
        if self.request.session.session_key == key_before:
            # Django keeps the key when the session already names this user (say, one left
            # from before a suspension was lifted); a login always gets a fresh key here.
            self.request.session.cycle_key()
        # Only an explicit, safe next travels to the second step: without one, that step
        # sends the person to their workspace once they are through.
        step = _second_step(self.request, safe_next(self.request))
        response = HttpResponseRedirect(step) if step else response
        remember_visitor(response, self.request, email=user.email, name=user.get_short_name())
        # Stored in this transaction: the middleware's save after the view then finds nothing
        # new to write (common.session_store), and the login commits once.
        self.request.session.save()
        return response

    def get_default_redirect_url(self) -> str:
        user = self.request.user
        # Anonymous again when a suspicious-activity rule held the account during this login.
        return workspace_url(user) if user.is_authenticated else super().get_default_redirect_url()


def login_throttled(request: HttpRequest, wait_seconds: int) -> HttpResponse:
    """429: the password-spraying rule refuses this IP's logins for a while (no password is
    checked, and nothing about any account is said)."""
    minutes = max(1, (wait_seconds + 59) // 60)
    response = render(request, "security/login_throttled.html", {"minutes": minutes}, status=429)
    response["Retry-After"] = str(wait_seconds)
    return response


# --- Two-step login ------------------------------------------------------------------


@never_cache
@login_required
def mfa_verify(request: HttpRequest) -> HttpResponse:
    next_url = safe_next(request, workspace_url(request.user))
    if request.user.is_verified():
        return redirect(next_url)
    if not user_has_confirmed_device(request.user):
        request.session[mfa.SESSION_HAS_DEVICE] = False
        if request.user.mfa_required:
            return redirect(_with_next("accounts:mfa_enrol", next_url))
        return redirect(next_url)
    status = 200
    form = OtpVerifyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        result = mfa.mfa_verify(
            user=request.user, token=form.cleaned_data["token"], origin=request_origin(request)
        )
        if result.device is not None:
            mfa.mfa_session_verified(request=request, device=result.device)
            if isinstance(result.device, BackupCodeDevice):
                left = result.device.remaining
                messages.warning(
                    request,
                    f"You used a backup code; {left} left. You can make new ones on your "
                    "security page.",
                )
            return redirect(next_url)
        if result.throttled:
            status = 429
            form.add_error(None, _wait_message(result))
        else:
            form.add_error("token", "That code is not right. Check it and try again.")
    return render(
        request,
        "security/mfa_verify.html",
        {"form": form, "next": next_url, **_second_step_ways(request.user)},
        status=status,
    )


def _second_step_ways(user) -> dict:
    """Which ways of the second step the page offers: a passkey, a code, or both."""
    return {
        "has_passkey": user_passkeys(user).exists(),
        "has_codes": confirmed_totp(user) is not None or backup_device(user) is not None,
    }


def _wait_message(result: mfa.Verification) -> str:
    seconds = result.wait_seconds
    unit = "second" if seconds == 1 else "seconds"
    lead = "That code is not right, and there have" if result.wrong else "There have"
    return (
        f"{lead} been too many wrong codes. Wait {seconds} {unit} before trying again: "
        "each wrong code makes the wait longer."
    )


@never_cache
@login_required
def mfa_enrol(request: HttpRequest) -> HttpResponse:
    next_url = safe_next(request, workspace_url(request.user))
    if not mfa.may_enrol(request.user):
        # Someone with a device proves it first; only then may they replace it.
        return redirect(_with_next("accounts:mfa_verify", next_url))
    status = 200
    form = OtpEnrolForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        result, codes = mfa.mfa_totp_confirm(
            user=request.user, token=form.cleaned_data["token"], origin=request_origin(request)
        )
        if result.device is not None:
            mfa.mfa_session_verified(request=request, device=result.device)
            # Shown in this response only: the codes are stored hashed and never again readable.
            return render(
                request,
                "security/mfa_backup_codes.html",
                {"codes": codes, "next": next_url, "enrolled": True},
            )
        if result.throttled:
            status = 429
            form.add_error(None, _wait_message(result))
        else:
            form.add_error("token", "That code is not right. Check the app and try again.")
    device = mfa.mfa_totp_begin(user=request.user)
    return render(
        request,
        "security/mfa_enrol.html",
        {
            "form": form,
            "next": next_url,
            "qr_svg": mfa.totp_qr_svg(device),
            "secret": mfa.totp_secret(device),
            "replacing": confirmed_totp(request.user) is not None,
        },
        status=status,
    )


@never_cache
@login_required
@require_POST
def mfa_backup_codes(request: HttpRequest) -> HttpResponse:
    """Issue a new set of backup codes (the old ones stop working) and show them once."""
    user = request.user
    if not user.is_verified() or not (confirmed_totp(user) or user_passkeys(user).exists()):
        messages.error(
            request, "Set up an authenticator app or a passkey before making backup codes."
        )
        return redirect("account:security")
    codes = mfa.mfa_backup_codes_issue(user=request.user, origin=request_origin(request))
    return render(
        request,
        "security/mfa_backup_codes.html",
        {"codes": codes, "next": reverse("account:security"), "enrolled": False},
    )


@login_required
@require_POST
def mfa_disable(request: HttpRequest) -> HttpResponse:
    user = request.user
    if user.mfa_required:
        messages.error(request, "Two-step login is required for your account.")
    elif user_has_confirmed_device(user) and not user.is_verified():
        messages.error(request, "Confirm a code from your app before turning two-step login off.")
    else:
        mfa.mfa_disable(user=user, by=user, origin=request_origin(request))
        request.session[mfa.SESSION_HAS_DEVICE] = False
        messages.success(request, "Two-step login is off.")
    return redirect("account:security")


# --- Passwords -----------------------------------------------------------------------


@sensitive_post_parameters()
@never_cache
@login_required
def password_change(request: HttpRequest) -> HttpResponse:
    form = PasswordChangeForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = user_password_change(
            user=request.user,
            password=form.cleaned_data["new_password1"],
            keep_session_key=request.session.session_key,
        )
        # Keeps this session logged in, under a new key.
        update_session_auth_hash(request, user)
        messages.success(
            request, "Your password was changed. Every other session has been logged out."
        )
        return redirect("account:security")
    return render(request, "security/password_change.html", {"form": form})


password_reset = auth_views.PasswordResetView.as_view(
    form_class=PasswordResetRequestForm,
    template_name="security/password_reset.html",
    success_url=reverse_lazy("accounts:password_reset_done"),
)
password_reset_done = auth_views.PasswordResetDoneView.as_view(
    template_name="security/password_reset_done.html"
)
password_reset_confirm = auth_views.PasswordResetConfirmView.as_view(
    form_class=PasswordResetSetForm,
    template_name="security/password_reset_confirm.html",
    success_url=reverse_lazy("accounts:password_reset_complete"),
)
password_reset_complete = auth_views.PasswordResetCompleteView.as_view(
    template_name="security/password_reset_complete.html"
)
