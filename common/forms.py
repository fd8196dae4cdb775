"""Form pieces shared by several apps."""

import datetime

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone


class PeriodForm(forms.Form):
    """A range of UK dates, inclusive, read from a query string with sensible defaults."""

    default_days = 30
    max_days = 366

    start = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))

    @classmethod
    def from_query(cls, query):
        today = timezone.localdate()
        data = {
            "start": (today - datetime.timedelta(days=cls.default_days - 1)).isoformat(),
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
            elif (end - start).days >= self.max_days:
                self.add_error("end", f"A period covers at most {self.max_days} days.")
        return cleaned


def add_service_errors(form: forms.BaseForm, error: Exception) -> None:
    """Put a service's refusal on a form: a ValidationError on the fields it names where the
    form shows them, otherwise (and any other refusal, a PermissionDenied) above the form."""
    if not isinstance(error, ValidationError):
        form.add_error(None, error_text(error))
    elif hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            shown = field in form.fields and not form.fields[field].widget.is_hidden
            form.add_error(field if shown else None, errors)
    else:
        form.add_error(None, error)


def error_text(error: Exception, default: str = "That is not allowed.") -> str:
    """A refusal as one line for a flash message."""
    if isinstance(error, ValidationError):
        return " ".join(error.messages)
    return str(error) or default
