from django import forms

from breaches.models import Breach, BreachEvent, DataCategory, PeopleCategory
from breaches.services.register import EDITABLE_FIELDS

DATETIME_INPUT = {"type": "datetime-local"}
DATETIME_FORMAT = "%Y-%m-%dT%H:%M"


def _datetime_widget():
    return forms.DateTimeInput(attrs=DATETIME_INPUT, format=DATETIME_FORMAT)


class BreachForm(forms.ModelForm):
    data_categories = forms.MultipleChoiceField(
        label="Categories of personal data",
        choices=DataCategory.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    people_categories = forms.MultipleChoiceField(
        label="Categories of people affected",
        choices=PeopleCategory.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    class Meta:
        model = Breach
        fields = list(EDITABLE_FIELDS)
        widgets = {
            "aware_at": _datetime_widget(),
            "occurred_at": _datetime_widget(),
            "description": forms.Textarea(attrs={"rows": 5}),
            "discovered_how": forms.Textarea(attrs={"rows": 3}),
            "likely_consequences": forms.Textarea(attrs={"rows": 3}),
            "measures_taken": forms.Textarea(attrs={"rows": 3}),
            "measures_proposed": forms.Textarea(attrs={"rows": 3}),
        }
        help_texts = {
            "aware_at": "UK time. The 72 hours to report to the ICO run from here.",
            "occurred_at": "UK time, if known.",
            "likely_consequences": "For the people affected: what could happen to them?",
            "measures_taken": "To contain the breach and limit its effects.",
        }

    def _keep_seconds(self, name: str):
        """The inputs show minutes: an unchanged time keeps the seconds it was stored with."""
        value = self.cleaned_data.get(name)
        stored = getattr(self.instance, name, None) if self.instance.pk else None
        if value and stored and stored.replace(second=0, microsecond=0) == value:
            return stored
        return value

    def clean_aware_at(self):
        return self._keep_seconds("aware_at")

    def clean_occurred_at(self):
        return self._keep_seconds("occurred_at")


class DecisionForm(forms.Form):
    kind = forms.ChoiceField(
        label="Decision",
        choices=[
            (kind.value, kind.label)
            for kind in (
                BreachEvent.Kind.REPORT_ICO,
                BreachEvent.Kind.NOT_REPORT_ICO,
                BreachEvent.Kind.TELL_PEOPLE,
                BreachEvent.Kind.NOT_TELL_PEOPLE,
                BreachEvent.Kind.DELAY,
            )
        ],
    )
    reason = forms.CharField(
        label="Reason",
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Why: the risk to people, or what holds the report up.",
    )


class IcoReportForm(forms.Form):
    reference = forms.CharField(label="ICO reference", max_length=100)
    reported_at = forms.DateTimeField(
        label="Reported at", widget=_datetime_widget(), help_text="UK time."
    )
    delay_reason = forms.CharField(
        label="Reasons for the delay",
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Needed when the report came more than 72 hours after awareness.",
    )


class UpdateForm(forms.Form):
    recipient = forms.ChoiceField(
        label="Sent to",
        choices=[
            (BreachEvent.Recipient.ICO.value, BreachEvent.Recipient.ICO.label),
            (BreachEvent.Recipient.PEOPLE.value, BreachEvent.Recipient.PEOPLE.label),
        ],
    )
    summary = forms.CharField(
        label="What the update said",
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class CloseForm(forms.Form):
    reason = forms.CharField(
        label="Why it can be closed", max_length=5000, widget=forms.Textarea(attrs={"rows": 3})
    )
