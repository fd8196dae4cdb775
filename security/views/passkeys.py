"""The passkey ceremonies (/accounts/mfa/passkeys/…): django-otp-webauthn's JSON views, which
its own script (static, served by the app) calls, with PrivacyDesk's rules around them.

Adding a passkey records it and tells the owner; using one after the password is the second
step; using one with nobody logged in is a sign-in with the passkey alone, where the owner's
organisation allows it (security.services.passkeys). A refused sign-in says the same words,
with the same status, whether the passkey is unknown or its account suspended or ended, as a
wrong password does.
"""

from django.contrib import messages
from django.db import transaction
from django.http import JsonResponse
from django.urls import reverse
from django_otp_webauthn import exceptions
from django_otp_webauthn import views as webauthn_views
from django_otp_webauthn.utils import rewrite_exceptions

from accounts.selectors import workspace_url
from common.client_ip import client_ip
from common.origin import request_origin
from cookies.remember import remember_visitor
from security.selectors import passkey_sign_in_allowed
from security.services import mfa
from security.services.login_throttle import login_throttled_for
from security.services.passkeys import passkey_added, passkey_sign_in

# Any of these, when nobody is logged in, is answered as a wrong password is.
_NOT_AN_ACTIVE_ACCOUNT = (
    exceptions.CredentialNotFound,
    exceptions.CredentialDisabled,
    exceptions.UserDisabled,
)


class PasskeyRefused(exceptions.OTPWebAuthnApiError):
    status_code = 403
    default_code = "passkey_refused"
    default_detail = "That passkey does not match an active account."


class PasskeyAloneNotAllowed(exceptions.OTPWebAuthnApiError):
    status_code = 403
    default_code = "passkey_alone_not_allowed"
    default_detail = (
        "Your organisation does not allow signing in with a passkey alone. Log in with your "
        "e-mail address and password; your passkey can then be your second step."
    )


class LoginThrottled(exceptions.OTPWebAuthnApiError):
    status_code = 429
    default_code = "throttled"

    def __init__(self, wait_seconds: int):
        super().__init__(
            detail=f"Too many failed logins from your network. Try again in {wait_seconds} seconds."
        )
        self.wait_seconds = wait_seconds


class _SignInRules:
    """Shared by both halves of the sign-in: with nobody logged in, it is a login, and an IP
    the password-spraying rule throttled is refused it like the login page."""

    signing_in = False

    def initial(self, request, *args, **kwargs):
        self.signing_in = not request.user.is_authenticated
        if self.signing_in and (wait := login_throttled_for(client_ip(request))):
            raise LoginThrottled(wait)
        super().initial(request, *args, **kwargs)

    def handle_exception(self, exc):
        if self.signing_in and isinstance(exc, _NOT_AN_ACTIVE_ACCOUNT):
            exc = PasskeyRefused()
        response = super().handle_exception(exc)
        if isinstance(exc, LoginThrottled):
            response["Retry-After"] = str(exc.wait_seconds)
        return response


class PasskeyRegistrationComplete(webauthn_views.CompleteCredentialRegistrationView):
    """The new passkey is saved, recorded and e-mailed about in one transaction; a first one
    passes this session's second step (someone setting up two-step login with it)."""

    def post(self, *args, **kwargs):
        request = self.request
        state = self.get_state()
        with transaction.atomic():
            with rewrite_exceptions(logger=webauthn_views._get_pywebauthn_logger()):
                passkey = self.get_helper().register_complete(
                    user=self.get_user(), state=state, data=request.data
                )
            passkey_added(passkey=passkey, origin=request_origin(request))
        if request.user.is_verified():
            request.session[mfa.SESSION_HAS_DEVICE] = True
        else:
            mfa.mfa_session_verified(request=request, device=passkey)
        messages.success(request, "Passkey added. Give it a name you will recognise.")
        name_page = reverse("account:passkey", kwargs={"pk": passkey.pk})
        return JsonResponse({"id": passkey.pk, "redirect_url": name_page})


class PasskeyAuthenticationBegin(_SignInRules, webauthn_views.BeginCredentialAuthenticationView):
    pass


class PasskeyAuthenticationComplete(
    _SignInRules, webauthn_views.CompleteCredentialAuthenticationView
):
    def check_device_usable(self, device) -> None:
        if not device.confirmed or not device.user.is_active:
            raise PasskeyRefused()
        if self.signing_in and not passkey_sign_in_allowed(device.user):
            raise PasskeyAloneNotAllowed()

    def complete_auth(self, device):
        if self.signing_in:
            passkey_sign_in(request=self.request, passkey=device)
        else:
            mfa.mfa_session_verified(request=self.request, device=device)

    def get_success_url(self) -> str:
        user = self.request.user
        if not user.is_authenticated:
            # A suspicious-activity rule held the account during this login; the login page
            # shows its message.
            return reverse("accounts:login")
        return self.get_redirect_url() or workspace_url(user)

    def post(self, *args, **kwargs):
        response = super().post(*args, **kwargs)
        user = self.request.user
        if self.signing_in and user.is_authenticated:
            remember_visitor(response, self.request, email=user.email, name=user.get_short_name())
        return response
