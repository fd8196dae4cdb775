from django import forms


class NoticeRecordForm(forms.Form):
    OUTCOMES = [
        ("confirmed", "The recipient confirmed"),
        ("excused", "It cannot be obtained: impossible or disproportionate effort"),
    ]
    outcome = forms.ChoiceField(choices=OUTCOMES, widget=forms.RadioSelect)
    note = forms.CharField(
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="How they confirmed, or why their confirmation cannot be obtained.",
    )


class ProcessorContactForm(forms.Form):
    email = forms.EmailField(
        required=False,
        label="Privacy contact e-mail",
        help_text="Leave empty to remove it.",
    )
