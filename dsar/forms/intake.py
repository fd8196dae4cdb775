"""Forms of the public rights-request form, the account page and the status page."""

from django import forms

from datamap.purposes import legitimate_interest_purposes
from dsar.models import RectificationItem, RequestKind

# The honeypot: an input people never see (visually hidden, aria-hidden, out of the tab order)
# and so leave empty. Rendered by the template, not a form field, so that includes/form.html
# never shows it with a label.
HONEYPOT_FIELD = "website"

# Plain-English help for each kind, shown beside the choice.
KIND_HELP = {
    RequestKind.ACCESS: "Get a copy of the personal data we hold about you, and how we use it.",
    RequestKind.RECTIFICATION: "Ask us to correct data about you that is wrong or incomplete.",
    RequestKind.ERASURE: "Ask us to delete your data (the “right to be forgotten”). We tell "
    "you what we must keep and why.",
    RequestKind.RESTRICTION: "Ask us to keep your data but stop using it, for example while "
    "you contest its accuracy.",
    RequestKind.OBJECTION: "Object to how we use your data for our legitimate interests; we "
    "stop unless we have compelling grounds, which we explain.",
    RequestKind.MARKETING_OBJECTION: "Stop all marketing to you. We stop at once, no "
    "questions asked.",
    RequestKind.PORTABILITY: "Receive data you gave us in a machine-readable format, to take "
    "it elsewhere.",
    RequestKind.CONSENT_WITHDRAWAL: "Withdraw consent you gave us to use your data.",
    RequestKind.COMPLAINT: "Complain to our Data Protection Officer about how we handled your "
    "data.",
}

CORRECTION_FIELDS = {
    "full_name": "Full name",
    "job_title": "Job title",
    "email": "E-mail address",
}
CORRECTION_CHOICES = list(CORRECTION_FIELDS.items())


def kinds_with_help() -> list[tuple[str, str, str]]:
    """(value, label, help) for every kind, in the order of the choices."""
    return [(value, label, KIND_HELP[value]) for value, label in RequestKind.choices]


class _KindAndDescription(forms.Form):
    kind = forms.ChoiceField(
        label="What would you like us to do?",
        choices=[("", "Choose the kind of request"), *RequestKind.choices],
        help_text="Each kind is explained above the form.",
    )
    description = forms.CharField(
        label="Your request",
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=5000,
        help_text="Tell us what you are asking for, and anything that helps us find your data "
        "(for example the organisation you work for, and when you used our service).",
    )
    objection_purposes = forms.MultipleChoiceField(
        label="If you object: the uses of your data you object to",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Only for an objection. These are the uses that rely on our legitimate "
        "interests; tell us about your situation in your request.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["objection_purposes"].choices = [
            (purpose.value, purpose.label) for purpose in legitimate_interest_purposes()
        ]

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("kind") != RequestKind.OBJECTION:
            cleaned["objection_purposes"] = []
        elif not cleaned.get("objection_purposes"):
            self.add_error("objection_purposes", "Choose at least one use of your data.")
        return cleaned


class PublicRequestForm(_KindAndDescription):
    """The public form: no account needed; the e-mail address is checked by a one-time link."""

    field_order = ["kind", "requester_name", "requester_email", "organisation_name"]

    requester_name = forms.CharField(label="Your full name", max_length=200)
    requester_email = forms.EmailField(
        label="Your e-mail address",
        max_length=254,
        help_text="We send a link to this address to check that it is yours; the link works "
        "for 24 hours.",
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    organisation_name = forms.CharField(
        label="Your employer (optional)",
        max_length=200,
        required=False,
        help_text="If you used our service through your employer, its name helps us find you.",
        widget=forms.TextInput(attrs={"autocomplete": "organization"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["requester_name"].widget.attrs["autocomplete"] = "name"


class AccountRequestForm(_KindAndDescription):
    """A logged-in user files for themselves: their name and e-mail come from the account."""


class CorrectionsForm(forms.Form):
    """The corrections a rectification request proposes: one optional value per field."""

    prefix = "correct"

    full_name = forms.CharField(label="Correct full name", max_length=200, required=False)
    job_title = forms.CharField(label="Correct job title", max_length=200, required=False)
    email = forms.EmailField(label="Correct e-mail address", max_length=254, required=False)

    def __init__(self, *args, kind: str | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind = kind

    def clean(self):
        cleaned = super().clean()
        if self.kind == RequestKind.RECTIFICATION and not any(
            (cleaned.get(name) or "").strip() for name in CORRECTION_FIELDS
        ):
            raise forms.ValidationError(
                "To ask for a correction, give the corrected value of at least one field."
            )
        return cleaned

    def items(self) -> list[RectificationItem]:
        """Unsaved RectificationItem rows for the values given (none unless rectification)."""
        if self.kind != RequestKind.RECTIFICATION:
            return []
        return [
            RectificationItem(field=name, proposed_value=value.strip())
            for name in CORRECTION_FIELDS
            if (value := self.cleaned_data.get(name) or "").strip()
        ]


class ReplyForm(forms.Form):
    body = forms.CharField(
        label="Your message",
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=5000,
        help_text="For example the information we asked you for.",
    )


class NewLinkForm(forms.Form):
    """The expired-link page: a new confirmation link for the address a request was made with."""

    email = forms.EmailField(
        label="Your e-mail address",
        max_length=254,
        help_text="The address you gave when you made your request.",
    )
