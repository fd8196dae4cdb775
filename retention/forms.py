from django import forms
from django.core.exceptions import ValidationError

from accounts.models import Organisation, User
from accounts.reauth import ReauthenticationForm, reauth_field
from retention.models import LegalHold, RetentionPolicy


class PolicyForm(forms.ModelForm):
    # Asked when saving, not for the preview (retention.views.policy_edit).
    password = reauth_field(
        "A new retention period changes what is purged: confirm it.", required=False
    )

    class Meta:
        model = RetentionPolicy
        fields = ["basis", "days", "action", "rationale"]
        labels = {"days": "Days", "action": "At expiry", "rationale": "Why this period"}


class LegalHoldForm(forms.Form):
    email = forms.EmailField(
        label="User's e-mail address",
        required=False,
        help_text="Hold one person's data; or choose an organisation below.",
    )
    organisation = forms.ModelChoiceField(
        queryset=Organisation.objects.order_by("name"),
        required=False,
        help_text="Hold the data of everyone in the organisation.",
    )
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        help_text="The claim, investigation or duty that requires the data to be kept.",
    )

    def clean(self):
        cleaned = super().clean()
        email, organisation = cleaned.get("email"), cleaned.get("organisation")
        if bool(email) == bool(organisation):
            raise ValidationError("Give a user's e-mail address or an organisation, not both.")
        if email:
            user = User.objects.filter(email__iexact=email).first()
            if user is None:
                self.add_error("email", "No user has this e-mail address.")
            cleaned["user"] = user
        return cleaned


class ReleaseHoldForm(ReauthenticationForm):
    """Releasing a hold lets purges and erasure reach the data again: re-authenticate."""

    reauth_help = "Enter your own password to release this legal hold."

    def __init__(self, *args, user: User, hold: LegalHold, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        self.hold = hold


class PurgeNowForm(ReauthenticationForm):
    """Purging deletes or anonymises data for good: re-authenticate."""

    reauth_help = "Enter your own password, or a fresh code from your app, to purge now."
