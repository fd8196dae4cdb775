from django import forms
from django.contrib.auth.forms import AuthenticationForm

from accounts.investigations import investigators
from accounts.models import User, UserManager


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


class AssignForm(forms.Form):
    """Give a case (an investigation, a rights request) to a DPO or support colleague."""

    assignee = forms.ModelChoiceField(
        label="Assignee", queryset=User.objects.none(), required=False, empty_label="Nobody"
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = investigators()
