from django import forms

from common.forms import PeriodForm
from usage.models import Grouping, ReportSubscription
from usage.selectors import GROUPINGS


class ReportForm(PeriodForm):
    """The report's period (the last 30 days by default) and grouping."""

    group_by = forms.ChoiceField(
        choices=[(g, g.capitalize()) for g in GROUPINGS], initial="user", label="Group by"
    )


class ConsoleReportForm(ReportForm):
    """The console's report: whose report too, when the admin's organisation is a group
    company, affiliate or partner entitled to another's (``offer`` lists them)."""

    of = forms.TypedChoiceField(coerce=int, required=False, empty_value=None, label="Report of")

    def offer(self, own, entitlements) -> None:
        if not entitlements:
            del self.fields["of"]
            return
        self.fields["of"].choices = [(own.pk, f"{own.name} (your organisation)")] + [
            (e.organisation_id, f"{e.organisation.name} (you are its {e.relationship_words})")
            for e in entitlements
        ]


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
