"""Re-authentication before a destructive back-office action (issue 8).

Erasure approval, legal-hold release, a retention change, a purge run and the people page's
destructive steps ask for the staff member's own password again, or a fresh code from their
authenticator app. Every one of them goes through this module, so the rule is one rule.

A form that always asks inherits ``ReauthenticationForm`` (its ``password`` field comes last
and is checked against ``user``); a form that asks only for one of its buttons declares the
field with ``required=False`` and its view calls ``reauthenticated(request, form)`` for that
button.
"""

import re

from django import forms
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django_otp.plugins.otp_totp.models import TOTPDevice

WRONG = "That is not your password."
MISSING = "Enter your password (or a code from your authenticator app) to confirm this step."
_CODE = re.compile(r"^\d{6}$")


def credential_matches(user, secret: str) -> bool:
    """The user's password, or a current code from their confirmed authenticator.

    A code is single-use (django-otp refuses a code at or before the last one accepted) and
    throttled by the device; a password is at least 12 characters and never only digits
    (the password validators), so the two cannot be confused.
    """
    if not secret or user is None or not user.is_authenticated:
        return False
    if _CODE.match(secret):
        device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
        return bool(device is not None and device.verify_token(secret))
    return user.check_password(secret)


def reauth_field(
    help_text: str = "Enter your own password to confirm this step.", *, required: bool = True
) -> forms.CharField:
    return forms.CharField(
        label="Your password",
        required=required,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        help_text=f"{help_text} A code from your authenticator app works too.",
    )


class ReauthenticationForm(forms.Form):
    """A form that asks for the acting user's password again, after its own fields."""

    password = reauth_field()
    reauth_help = ""

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        if "password" in self.fields:
            self.fields["password"] = self.fields.pop("password")  # last, after the form's own
            if self.reauth_help:
                self.fields["password"].help_text = reauth_field(self.reauth_help).help_text

    def clean_password(self) -> str:
        secret = self.cleaned_data.get("password") or ""
        if secret and not credential_matches(self.user, secret):
            raise ValidationError(WRONG, code="wrong_password")
        return secret


def reauthenticated(request: HttpRequest, form: forms.BaseForm, field: str = "password") -> bool:
    """For a validated form whose re-authentication is optional: did this submission give the
    acting user's password or a fresh code? If not, the error is on the field."""
    if form.errors.get(field):
        return False
    secret = form.cleaned_data.get(field) or ""
    if not secret:
        form.add_error(field, MISSING)
        return False
    # ReauthenticationForm checked it in clean_password; a plain form has not.
    if isinstance(form, ReauthenticationForm) or credential_matches(request.user, secret):
        return True
    form.add_error(field, WRONG)
    return False
