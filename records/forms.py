"""Records forms: the disclosure log's filters and the DPO's record of a disclosure; a
processing activity and its processors."""

import re

from django import forms

from accounts.models import Organisation, User
from records.models import CATEGORY_CHOICES, Disclosure, ProcessingActivity
from records.services import EDITABLE_FIELDS

# What the DPO enters by hand; client disclosures are recorded by the usage reports.
ENTERED_TYPES = [
    (value, label)
    for value, label in Disclosure.RecipientType.choices
    if value != Disclosure.RecipientType.CLIENT
]
MAX_PEOPLE = 5000


class DisclosureFilterForm(forms.Form):
    recipient_type = forms.ChoiceField(
        label="Recipient type",
        required=False,
        choices=[("", "Any"), *Disclosure.RecipientType.choices],
    )
    organisation = forms.ModelChoiceField(
        label="Organisation",
        required=False,
        queryset=Organisation.objects.order_by("name"),
        empty_label="Any",
    )
    start = forms.DateField(
        label="From", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    end = forms.DateField(
        label="To", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["start"] > data["end"]:
            self.add_error("end", "The end date is before the start date.")
        return data


class DisclosureForm(forms.Form):
    recipient_type = forms.ChoiceField(label="Recipient type", choices=ENTERED_TYPES)
    recipient = forms.CharField(
        label="Recipient",
        max_length=200,
        help_text="Who received the data, e.g. “Information Commissioner's Office”.",
    )
    organisation = forms.ModelChoiceField(
        label="Client organisation concerned",
        required=False,
        queryset=Organisation.objects.order_by("name"),
        empty_label="None",
    )
    legal_basis = forms.CharField(
        label="Legal basis",
        max_length=200,
        help_text="E.g. “Legal obligation: production order under section 9 PACE 1984”.",
    )
    reference = forms.CharField(
        label="Reference",
        max_length=100,
        help_text="The recipient's reference: case number, order, contract.",
    )
    categories = forms.MultipleChoiceField(
        label="Categories of data",
        choices=CATEGORY_CHOICES,
        widget=forms.CheckboxSelectMultiple,
    )
    description = forms.CharField(label="What was disclosed, and why", max_length=300)
    people = forms.CharField(
        label="The people concerned",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Their e-mail addresses, one per line (use the search below to find them). "
        "Each is told of this disclosure in their access package.",
    )

    def clean_people(self) -> list[int]:
        emails = {e.strip().lower() for e in re.split(r"[\s,;]+", self.cleaned_data["people"]) if e}
        if len(emails) > MAX_PEOPLE:
            raise forms.ValidationError(f"At most {MAX_PEOPLE} people in one disclosure.")
        found = dict(User.objects.filter(email__in=emails).values_list("email", "pk"))
        unknown = sorted(emails - set(found))
        if unknown:
            raise forms.ValidationError(
                "No account has these addresses: " + ", ".join(unknown[:20])
            )
        return sorted(found.values())


class PeopleSearchForm(forms.Form):
    q = forms.CharField(label="Find people by e-mail", max_length=254, required=False)


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
