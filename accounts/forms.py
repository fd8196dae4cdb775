from django import forms
from django.contrib.auth.forms import AuthenticationForm

from accounts.models import UserManager


class LoginForm(AuthenticationForm):
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
