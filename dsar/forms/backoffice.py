"""Forms of the DPO's back office for rights requests: the queue's filters and every step."""

import datetime

from django import forms
from django.db.models import QuerySet
from django.utils import timezone

from accounts.models import User
from dsar.deadlines import MAX_EXTENSION_MONTHS
from dsar.models import OPEN_STATES, Channel, LetterTemplate, RequestKind, RightsRequest, State
from dsar.selectors import requests_due_soon, requests_overdue
from dsar.services.letters import PLACEHOLDER

DUE_CHOICES = [
    ("", "Any due date"),
    ("overdue", "Overdue"),
    ("soon", "Due within 7 days"),
    ("range", "Due between the dates below"),
]

# The placeholders every letter can use; some letters also have their own (see LETTER_FIELDS).
COMMON_PLACEHOLDERS = {
    "reference": "the request's reference, e.g. RR-2026-000123",
    "name": "the requester's name",
    "kind": "the type of request, e.g. access to my data",
    "due_on": "the due date, e.g. 4 May 2026",
    "status_url": "the requester's status-page link",
    "dpo_email": "the DPO's e-mail address",
    "dpo_signature": "the DPO's signature (title and e-mail)",
    "ico": "the Information Commissioner's Office and how to reach it",
    "received_on": "the day the request or complaint was received, e.g. 2 December 2026",
    "cookies_url": "the cookie settings page's link",
    "communications_url": "the e-mail preferences page's link",
}
LETTER_FIELDS = {
    "verification": {"verify_url": "the one-time verification link"},
    "extension": {"reason": "the reason for the extension"},
    "clarification": {"message": "what the DPO asks the requester"},
    "message": {"message": "the DPO's message"},
    "completed": {"message": "the outcome the DPO wrote"},
    "rejected": {"reason": "the reason for the refusal"},
    "complaint_outcome": {
        "decision": "the outcome in words, e.g. we uphold your complaint in part",
        "message": "the answer the DPO wrote",
    },
    "restriction_lift_notice": {"reason": "why the restriction will be lifted"},
}
# What a letter must keep whatever the DPO rewords: the outcome of a complaint names the
# right to complain to the ICO (Data Protection Act 2018 s.164A, the privacy notice's section 9).
REQUIRED_PLACEHOLDERS = {"complaint_outcome": ("decision", "message", "ico")}
# Letters the app sends at a workflow step: they wrap the DPO's own text, so they make poor
# outcome texts. Every other letter (e.g. "portability does not apply") may prefill one.
STEP_LETTERS = frozenset(
    {
        "verification",
        "acknowledgement",
        "complaint_acknowledgement",
        "complaint_outcome",
        "extension",
        "clarification",
        "message",
        "completed",
        "rejected",
        "restriction_lift_notice",
    }
)


def _text(label: str, *, rows: int = 4, help_text: str = "", max_length: int = 10000):
    return forms.CharField(
        label=label,
        max_length=max_length,
        widget=forms.Textarea(attrs={"rows": rows}),
        help_text=help_text,
    )


OPEN, ALL = "open", "all"


class QueueFilterForm(forms.Form):
    """The queue's filters; an invalid value is ignored rather than refused."""

    # The queue opens on the open requests; "all" shows the closed ones too.
    state = forms.ChoiceField(
        label="Status",
        required=False,
        choices=[(OPEN, "Open"), (ALL, "Any status"), *State.choices],
    )
    # Complaints are not rights requests: they have their own queue (dsar.views.complaints).
    kind = forms.ChoiceField(
        label="Type",
        required=False,
        choices=[
            ("", "Any type"),
            *(
                (value, label)
                for value, label in RequestKind.choices
                if value != RequestKind.COMPLAINT
            ),
        ],
    )
    assignee = forms.ChoiceField(label="Assignee", required=False)
    due = forms.ChoiceField(label="Due", required=False, choices=DUE_CHOICES)
    due_from = forms.DateField(
        label="Due from", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    due_to = forms.DateField(
        label="Due until", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, staff: list[User], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].choices = [
            ("", "Anyone or nobody"),
            ("me", "Me"),
            ("none", "Nobody"),
            *((str(person.pk), person.full_name or person.email) for person in staff),
        ]

    @property
    def shown_state(self) -> str:
        """The status shown: one state, OPEN (the default) or ALL."""
        return (self.cleaned_data.get("state") if hasattr(self, "cleaned_data") else "") or OPEN

    def filter(self, requests: QuerySet[RightsRequest], *, user: User) -> QuerySet[RightsRequest]:
        self.is_valid()  # an invalid field drops out of cleaned_data; the others still apply
        data = self.cleaned_data
        state = self.shown_state
        if state == OPEN:
            requests = requests.filter(state__in=OPEN_STATES)
        elif state != ALL:
            requests = requests.filter(state=state)
        if data.get("kind"):
            requests = requests.filter(kind=data["kind"])
        assignee = data.get("assignee")
        if assignee == "me":
            requests = requests.filter(assignee=user)
        elif assignee == "none":
            requests = requests.filter(assignee__isnull=True)
        elif assignee:
            requests = requests.filter(assignee_id=int(assignee))
        due, today = data.get("due"), timezone.localdate()
        # The same selectors as the daily alert, so the queue and the e-mail agree.
        if due == "overdue":
            requests = requests.filter(pk__in=requests_overdue(today).values("pk"))
        elif due == "soon":
            requests = requests.filter(pk__in=requests_due_soon(today).values("pk"))
        elif due == "range":
            if data.get("due_from"):
                requests = requests.filter(due_on__gte=data["due_from"])
            if data.get("due_to"):
                requests = requests.filter(due_on__lte=data["due_to"])
        return requests


class NoteForm(forms.Form):
    body = _text("Internal note", help_text="Seen by the privacy team only, never the requester.")


class MessageForm(forms.Form):
    body = _text(
        "Message to the requester",
        help_text="E-mailed to the requester and shown on their status page.",
    )


class AskForm(forms.Form):
    message = _text(
        "What you need from the requester",
        help_text="Clarification or proof of identity. The time limit pauses until you resume.",
    )


class ResumeForm(forms.Form):
    body = forms.CharField(
        label="Note for the timeline",
        required=False,
        max_length=2000,
        help_text="Optional, shown to the requester; e.g. what they sent.",
    )


class ExtendForm(forms.Form):
    months = forms.TypedChoiceField(
        label="Further months",
        coerce=int,
        choices=[(n, str(n)) for n in range(1, MAX_EXTENSION_MONTHS + 1)],
    )
    reason = _text(
        "Reason",
        rows=3,
        help_text="A complex request, or several from the same person. The requester is told "
        "at once.",
    )


class CompleteForm(forms.Form):
    outcome = _text(
        "Outcome",
        rows=8,
        help_text="The answer the requester receives, by e-mail and on the status page.",
    )


class RejectForm(forms.Form):
    reason = _text(
        "Reason",
        rows=4,
        help_text="Why the request is manifestly unfounded or excessive. The letter adds the "
        "right to complain to the ICO.",
    )


class EmptyForm(forms.Form):
    """A step with nothing to fill in (start, withdraw)."""


class LetterChoiceForm(forms.Form):
    letter = forms.ModelChoiceField(
        label="Start from the letter",
        queryset=LetterTemplate.objects.none(),
        to_field_name="key",
        empty_label="Choose a letter",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["letter"].queryset = LetterTemplate.objects.exclude(key__in=STEP_LETTERS)
        # "Your portability request {reference}" reads as "Your portability request".
        self.fields["letter"].label_from_instance = lambda letter: " ".join(
            PLACEHOLDER.sub("", letter.title).split()
        )


LOGGED_CHANNELS = [
    (Channel.EMAIL.value, Channel.EMAIL.label),
    (Channel.PHONE.value, Channel.PHONE.label),
    (Channel.POST.value, Channel.POST.label),
]


class LogRequestForm(forms.Form):
    """A request that reached the DPO by e-mail, phone or post."""

    channel = forms.ChoiceField(label="How it arrived", choices=LOGGED_CHANNELS)
    received_on = forms.DateField(
        label="Received on",
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="The day it reached us: the time limit runs from it.",
    )
    kind = forms.ChoiceField(label="Type", choices=RequestKind.choices)
    requester_name = forms.CharField(label="Requester's name", max_length=200)
    requester_email = forms.EmailField(
        label="Requester's e-mail",
        max_length=254,
        help_text="Where answers go; for a postal request, ask for one or use the DPO's.",
    )
    organisation_name = forms.CharField(label="Employer named", max_length=200, required=False)
    description = _text("What they ask", rows=5)

    def clean_received_on(self) -> datetime.date:
        received_on = self.cleaned_data["received_on"]
        if received_on > timezone.localdate():
            raise forms.ValidationError("The date cannot be in the future.")
        return received_on

    def received_at(self) -> datetime.datetime:
        """Now for a request received today; noon, UK time, on an earlier day."""
        received_on = self.cleaned_data["received_on"]
        if received_on == timezone.localdate():
            return timezone.now()
        return timezone.make_aware(datetime.datetime.combine(received_on, datetime.time(12)))


class LetterTemplateForm(forms.ModelForm):
    class Meta:
        model = LetterTemplate
        fields = ["title", "body"]
        widgets = {"body": forms.Textarea(attrs={"rows": 14})}
        labels = {"title": "E-mail subject", "body": "Letter"}

    def _check_placeholders(self, text: str) -> str:
        known = set(COMMON_PLACEHOLDERS) | set(LETTER_FIELDS.get(self.instance.key, {}))
        unknown = sorted(set(PLACEHOLDER.findall(text)) - known)
        if unknown:
            names = ", ".join("{" + name + "}" for name in unknown)
            raise forms.ValidationError(
                f"This letter has no {names}: use only the placeholders listed on this page."
            )
        return text

    def clean_title(self) -> str:
        return self._check_placeholders(self.cleaned_data["title"])

    def clean_body(self) -> str:
        body = self._check_placeholders(self.cleaned_data["body"])
        missing = [
            name
            for name in REQUIRED_PLACEHOLDERS.get(self.instance.key, ())
            if "{" + name + "}" not in body
        ]
        if missing:
            names = ", ".join("{" + name + "}" for name in missing)
            raise forms.ValidationError(f"This letter must keep {names}.")
        return body


def placeholders_for(key: str) -> list[tuple[str, str]]:
    return [*COMMON_PLACEHOLDERS.items(), *LETTER_FIELDS.get(key, {}).items()]
