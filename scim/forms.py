import datetime

from django import forms
from django.utils import timezone


class ScimTokenForm(forms.Form):
    name = forms.CharField(
        label="Name",
        max_length=50,
        help_text="Which directory will use it, e.g. “Entra ID production” or “Okta”.",
    )
    expires_on = forms.DateField(
        label="Expires (optional)",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="The token stops working at the end of this day, UK time. Leave it empty for "
        "a token that works until it is revoked.",
    )

    def clean_expires_on(self):
        day = self.cleaned_data.get("expires_on")
        if day is not None and day <= timezone.localdate():
            raise forms.ValidationError("Choose a day after today.")
        return day

    def expires_at(self) -> datetime.datetime | None:
        """The end of the chosen UK day, as an aware moment."""
        day = self.cleaned_data.get("expires_on")
        if day is None:
            return None
        end = datetime.datetime.combine(day, datetime.time.max)
        return timezone.make_aware(end, timezone.get_default_timezone())
