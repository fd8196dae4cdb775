"""Forms of the login, two-step and password pages."""

from django import forms
from django.contrib import messages
from django.contrib.auth import forms as auth_forms

from accounts.models import UserManager
from common.client_ip import client_ip
from security.services.passwords import (
    SSO_REQUIRED_RESET,
    password_reset_request,
    password_reset_users,
    user_password_change,
)
from sso.selectors import sso_required_for_email


class LoginForm(auth_forms.AuthenticationForm):
    username = forms.EmailField(
        label="E-mail address",
        widget=forms.EmailInput(attrs={"autocomplete": "username", "autofocus": True}),
    )

    error_messages = {
        # One message for a wrong password, an unknown e-mail and an inactive account alike.
        "invalid_login": "That e-mail address and password do not match an active account.",
        "inactive": "That e-mail address and password do not match an active account.",
    }

    def clean_username(self) -> str:
        # Lower-cased before django-axes sees it, so "A@x" and "a@x" share one lockout.
        return UserManager.normalize_email(self.cleaned_data["username"])


class OtpVerifyForm(forms.Form):
    token = forms.CharField(
        label="Code",
        max_length=20,
        help_text="The 6-digit code from your authenticator app, or one of your backup codes.",
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "autofocus": True,
                "autocapitalize": "none",
                "spellcheck": "false",
            }
        ),
    )


class OtpEnrolForm(forms.Form):
    token = forms.CharField(
        label="Code from the app",
        max_length=10,
        help_text="Enter the 6-digit code your authenticator app shows now.",
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
    )

    def clean_token(self) -> str:
        token = "".join(self.cleaned_data["token"].split())
        if not (len(token) == 6 and token.isdigit()):
            raise forms.ValidationError("Enter the 6 digits the app shows.")
        return token


class PasswordResetRequestForm(auth_forms.PasswordResetForm):
    email = forms.EmailField(
        label="E-mail address",
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True}),
    )

    def get_users(self, email):
        return password_reset_users(email)

    def save(self, *, request, **kwargs) -> None:
        # The same answer whether or not the address has an account or a limit was reached;
        # the e-mail, if any, leaves from a task. PasswordResetView passes the request.
        password_reset_request(email=self.cleaned_data["email"], ip_address=client_ip(request))
        # Said by the address's domain, which is public knowledge, never by its account: the
        # e-mail, if any, tells each person which applies to them (a break-glass admin gets
        # a link like anyone else).
        if sso_required_for_email(self.cleaned_data["email"]) is not None:
            messages.info(request, SSO_REQUIRED_RESET)


class _NewPasswordForm(auth_forms.SetPasswordForm):
    """Django's two new-password fields, with its validators, relabelled."""

    def __init__(self, user, *args, **kwargs):
        super().__init__(user, *args, **kwargs)
        self.fields["new_password1"].label = "New password"
        self.fields["new_password2"].label = "New password again"
        self.fields["new_password1"].help_text = (
            "At least 12 characters; not a common password, not only digits, "
            "and not too like your name or e-mail address."
        )


class PasswordResetSetForm(_NewPasswordForm):
    def save(self, commit: bool = True):
        return user_password_change(
            user=self.user, password=self.cleaned_data["new_password1"], via="reset"
        )


class PasswordChangeForm(auth_forms.PasswordChangeForm):
    """Current password, then the new one twice. Saving is the view's job (it knows the session)."""

    def __init__(self, user, *args, **kwargs):
        super().__init__(user, *args, **kwargs)
        self.fields["old_password"].label = "Current password"
        self.fields["new_password1"].label = "New password"
        self.fields["new_password2"].label = "New password again"


class PasskeyNameForm(forms.Form):
    name = forms.CharField(
        label="Name",
        max_length=64,
        help_text="Say which device or key it is, e.g. “Work laptop” or “Blue security key”.",
    )
