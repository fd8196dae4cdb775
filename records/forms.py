"""Records forms: the disclosure log's filters and the DPO's record of a disclosure; a
processing activity; a provider of the processor register, its sub-processors and transfers."""

import re

from django import forms
from django_countries import countries

from accounts.models import Organisation, User
from records.models import (
    CATEGORY_CHOICES,
    UK,
    Disclosure,
    ProcessingActivity,
    Processor,
    Safeguard,
)
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
        labels = {"location": "We process it in"}

    processors = forms.ModelMultipleChoiceField(
        label="Processors",
        required=False,
        queryset=Processor.objects.order_by("name"),
        widget=forms.CheckboxSelectMultiple,
        help_text="The providers of the processor register that process this activity's data; "
        "where each stores and backs it up, and under which safeguard, is kept in the register.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial["processors"] = list(self.instance.processors.all())


COUNTRY_CHOICES = list(countries)
DATE_INPUT = forms.DateInput(attrs={"type": "date"})


class ProcessorForm(forms.Form):
    name = forms.CharField(label="Provider", max_length=120)
    service = forms.CharField(
        label="What it does for us",
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    data_categories = forms.MultipleChoiceField(
        label="Categories of data it receives",
        choices=CATEGORY_CHOICES,
        widget=forms.CheckboxSelectMultiple,
    )
    storage_countries = forms.MultipleChoiceField(
        label="Where it stores the data",
        choices=COUNTRY_CHOICES,
        initial=[UK],
        widget=forms.SelectMultiple(attrs={"size": 6}),
        help_text="Hold Ctrl (or Cmd) to choose more than one country.",
    )
    backup_countries = forms.MultipleChoiceField(
        label="Where it backs the data up",
        required=False,
        choices=COUNTRY_CHOICES,
        initial=[UK],
        widget=forms.SelectMultiple(attrs={"size": 6}),
        help_text="Every country its backups may go to, geo-regional backups included.",
    )
    agreement_date = forms.DateField(
        label="Date of the data processing agreement", required=False, widget=DATE_INPUT
    )
    no_own_use_clause = forms.BooleanField(
        label="The agreement forbids the provider to use the data for its own purposes",
        required=False,
    )
    activities = forms.ModelMultipleChoiceField(
        label="Processing activities that use it",
        required=False,
        queryset=ProcessingActivity.objects.order_by("position", "name"),
        widget=forms.CheckboxSelectMultiple,
    )

    @classmethod
    def initial_of(cls, processor: Processor) -> dict:
        return {
            "name": processor.name,
            "service": processor.service,
            "data_categories": processor.data_categories,
            "storage_countries": processor.storage_countries,
            "backup_countries": processor.backup_countries,
            "agreement_date": processor.agreement_date,
            "no_own_use_clause": processor.no_own_use_clause,
            "activities": list(processor.activities.all()),
        }


class SubProcessorForm(forms.Form):
    name = forms.CharField(label="Sub-processor", max_length=120)
    service = forms.CharField(label="What it does", max_length=300)
    country = forms.ChoiceField(label="Country", choices=[("", "Choose…"), *COUNTRY_CHOICES])


class TransferForm(forms.Form):
    country = forms.ChoiceField(
        label="Country outside the UK", choices=[("", "Choose…"), *COUNTRY_CHOICES]
    )
    safeguard = forms.ChoiceField(label="Safeguard", choices=[("", "Choose…"), *Safeguard.choices])
    date = forms.DateField(label="In force since (or signed on)", widget=DATE_INPUT)


class TransferBaseFormSet(forms.BaseFormSet):
    def clean(self):
        if any(self.errors):
            return
        seen = set()
        for form in self.forms:
            data = getattr(form, "cleaned_data", None)
            if not data or data.get("DELETE"):
                continue
            if data["country"] in seen:
                raise forms.ValidationError(
                    f"{dict(COUNTRY_CHOICES)[data['country']]} has more than one safeguard."
                )
            seen.add(data["country"])


SubProcessorFormSet = forms.formset_factory(SubProcessorForm, extra=1, can_delete=True)
TransferFormSet = forms.formset_factory(
    TransferForm, formset=TransferBaseFormSet, extra=1, can_delete=True
)


def kept(formset) -> list[dict]:
    """The rows a valid formset keeps: filled in and not marked for deletion."""
    return [data for data in formset.cleaned_data if data and not data.get("DELETE")]


def processor_fields(form: ProcessorForm, subs, transfers) -> dict:
    """What the register stores, from the valid forms of the page."""
    data = {name: form.cleaned_data[name] for name in form.fields if name != "activities"}
    data["sub_processors"] = [
        {key: row[key] for key in ("name", "service", "country")} for row in kept(subs)
    ]
    data["transfers"] = {
        row["country"]: {"safeguard": row["safeguard"], "date": row["date"].isoformat()}
        for row in kept(transfers)
    }
    return data


def sub_processor_rows(processor: Processor) -> list[dict]:
    return [dict(sub) for sub in processor.sub_processors]


def transfer_rows(processor: Processor) -> list[dict]:
    return [
        {"country": code, "safeguard": t.get("safeguard", ""), "date": t.get("date", "")}
        for code, t in processor.transfers.items()
    ]
