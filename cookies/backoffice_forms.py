from django import forms

from common.forms import PeriodForm as BasePeriodForm
from cookies.models import PolicyVersion


class PeriodForm(BasePeriodForm):
    """The consent-rate period: the last twelve weeks by default, two years at most."""

    default_days = 84
    max_days = 731


class PolicyDraftForm(forms.ModelForm):
    class Meta:
        model = PolicyVersion
        fields = ["body", "change_note"]
        labels = {"body": "Text (Markdown)", "change_note": "What changed"}
        widgets = {"body": forms.Textarea(attrs={"rows": 24})}
