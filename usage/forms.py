from django import forms

from common.forms import PeriodForm
from usage.selectors import GROUPINGS


class ReportForm(PeriodForm):
    """The report's period (the last 30 days by default) and grouping."""

    group_by = forms.ChoiceField(
        choices=[(g, g.capitalize()) for g in GROUPINGS], initial="user", label="Group by"
    )
