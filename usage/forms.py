import datetime

from django import forms
from django.utils import timezone

from usage.selectors import GROUPINGS

MAX_RANGE_DAYS = 366


class ReportForm(forms.Form):
    """The report's date range (UK dates, inclusive) and grouping; defaults to the last 30 days."""

    start = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    group_by = forms.ChoiceField(
        choices=[(g, g.capitalize()) for g in GROUPINGS], initial="user", label="Group by"
    )

    @classmethod
    def from_query(cls, query) -> "ReportForm":
        today = timezone.localdate()
        data = {
            "start": (today - datetime.timedelta(days=29)).isoformat(),
            "end": today.isoformat(),
            "group_by": "user",
        }
        data.update({k: v for k, v in query.items() if k in data and v})
        return cls(data)

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end:
            if end < start:
                self.add_error("end", "The end date must not be before the start date.")
            elif (end - start).days >= MAX_RANGE_DAYS:
                self.add_error("end", f"A report covers at most {MAX_RANGE_DAYS} days.")
        return cleaned
