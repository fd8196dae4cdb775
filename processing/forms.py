from django import forms

from processing.models import CATEGORY_CHOICES, ProcessingActivity
from processing.services import EDITABLE_FIELDS


class ActivityForm(forms.ModelForm):
    data_categories = forms.MultipleChoiceField(
        label="Categories of data",
        choices=CATEGORY_CHOICES,
        widget=forms.CheckboxSelectMultiple,
        help_text="The data-map categories this activity covers; the record lists what the "
        "data map holds in each.",
    )

    class Meta:
        model = ProcessingActivity
        fields = list(EDITABLE_FIELDS)
        widgets = {
            name: forms.Textarea(attrs={"rows": 3})
            for name in (
                "purpose",
                "balancing_summary",
                "people_categories",
                "recipients",
                "security_measures",
            )
        }


class ProcessorForm(forms.Form):
    name = forms.CharField(label="Processor", max_length=120)
    region = forms.CharField(label="Region", max_length=120, initial="United Kingdom")
    safeguards = forms.CharField(label="Safeguards", max_length=300)


ProcessorFormSet = forms.formset_factory(ProcessorForm, extra=1, can_delete=True)


def processors_from(formset) -> list[dict]:
    """The processors a valid formset keeps: filled in and not marked for deletion."""
    return [
        {key: data[key] for key in ("name", "region", "safeguards")}
        for data in formset.cleaned_data
        if data and not data.get("DELETE")
    ]
