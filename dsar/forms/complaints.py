"""Forms of a complaint's page in the back office: the outcome, and an acknowledgement made
by post or phone."""

from django import forms

from dsar.models import ComplaintOutcome


class ComplaintAnswerForm(forms.Form):
    outcome = forms.ChoiceField(
        label="Outcome",
        choices=ComplaintOutcome.choices,
        widget=forms.RadioSelect,
        help_text="Upheld: we got it wrong. Partly upheld: in part. Not upheld: we acted "
        "properly; say why.",
    )
    answer = forms.CharField(
        label="Answer",
        max_length=10000,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text="What you found and what you have done or will do. The letter adds the "
        "outcome and the right to complain to the ICO (website, phone and postal address).",
    )


class AcknowledgedByHandForm(forms.Form):
    on = forms.DateField(
        label="Acknowledged on",
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="The day the letter was posted or the call was made.",
    )
    how = forms.CharField(
        label="How",
        max_length=200,
        help_text="For example: letter sent by post to the address they gave.",
    )
