from django import forms
from django.contrib.auth import forms as auth_forms

from accounts.models import Invitation, User
from accounts.selectors import investigators
from accounts.services.invitations import invitation_accept


class AssignForm(forms.Form):
    """Give a case (an investigation, a rights request) to a DPO or support colleague."""

    assignee = forms.ModelChoiceField(
        label="Assignee", queryset=User.objects.none(), required=False, empty_label="Nobody"
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = investigators()


class InvitationAcceptForm(auth_forms.SetPasswordForm):
    """Django's two new-password fields, with its validators, relabelled (as security's
    password forms are)."""

    def __init__(self, invitation: Invitation, *args, **kwargs):
        self.invitation = invitation
        super().__init__(invitation.user, *args, **kwargs)
        self.fields["new_password1"].label = "Choose a password"
        self.fields["new_password2"].label = "Password again"
        self.fields["new_password1"].help_text = (
            "At least 12 characters; not a common password, not only digits, "
            "and not too like your name or e-mail address."
        )

    def save(self, commit: bool = True):
        return invitation_accept(
            invitation=self.invitation, password=self.cleaned_data["new_password1"]
        )
