import datetime

from django import forms
from django.utils import timezone

from cookies.models import PolicyVersion

MAX_RANGE_DAYS = 731
DEFAULT_DAYS = 84  # twelve weeks


class PeriodForm(forms.Form):
    """A range of UK dates, inclusive; defaults to the last twelve weeks."""

    start = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))

    @classmethod
    def from_query(cls, query):
        today = timezone.localdate()
        data = {
            "start": (today - datetime.timedelta(days=DEFAULT_DAYS - 1)).isoformat(),
            "end": today.isoformat(),
        }
        data.update({k: v for k, v in query.items() if k in cls.base_fields and v})
        return cls(data)

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end:
            if end < start:
                self.add_error("end", "The end date must not be before the start date.")
            elif (end - start).days >= MAX_RANGE_DAYS:
                self.add_error("end", f"A period covers at most {MAX_RANGE_DAYS} days.")
        return cleaned


class PolicyDraftForm(forms.ModelForm):
    class Meta:
        model = PolicyVersion
        fields = ["body", "change_note"]
        labels = {"body": "Text (Markdown)", "change_note": "What changed"}
        widgets = {"body": forms.Textarea(attrs={"rows": 24})}
