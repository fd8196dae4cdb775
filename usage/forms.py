from django import forms

from common.forms import PeriodForm
from usage.models import Grouping, ReportSubscription
from usage.selectors import GROUPINGS


class ReportForm(PeriodForm):
    """The report's period (the last 30 days by default) and grouping."""

    group_by = forms.ChoiceField(
        choices=[(g, g.capitalize()) for g in GROUPINGS], initial="user", label="Group by"
    )


class RecipientChoices(forms.ModelMultipleChoiceField):
    def label_from_instance(self, user) -> str:
        return f"{user.full_name} <{user.email}> ({user.organisation.name})"


class SubscriptionForm(forms.Form):
    """A scheduled report: how often, grouped how, and to whom (the people allowed to receive
    the organisation's reports, as checkboxes)."""

    cadence = forms.ChoiceField(choices=ReportSubscription.Cadence.choices, label="How often")
    grouping = forms.ChoiceField(choices=Grouping.choices, initial="user", label="Group by")
    recipients = RecipientChoices(
        queryset=None,
        widget=forms.CheckboxSelectMultiple,
        label="Send it to",
        error_messages={"required": "Choose at least one person to receive the report."},
    )

    def __init__(self, *args, allowed, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["recipients"].queryset = allowed
