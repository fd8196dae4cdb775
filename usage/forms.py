import datetime

from django import forms
from django.utils import timezone

from usage.selectors import GROUPINGS

MAX_RANGE_DAYS = 366
DEFAULT_DAYS = 30


class PeriodForm(forms.Form):
    """A range of UK dates, inclusive; defaults to the last 30 days."""

    start = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))

    @classmethod
    def from_query(cls, query):
        today = timezone.localdate()
        data = {
            "start": (today - datetime.timedelta(days=DEFAULT_DAYS - 1)).isoformat(),
            "end": today.isoformat(),
            **{name: field.initial for name, field in cls.base_fields.items() if field.initial},
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
                self.add_error("end", f"A report covers at most {MAX_RANGE_DAYS} days.")
        return cleaned


class ReportForm(PeriodForm):
    group_by = forms.ChoiceField(
        choices=[(g, g.capitalize()) for g in GROUPINGS], initial="user", label="Group by"
    )
