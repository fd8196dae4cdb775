"""cookies' forms: the banner's and settings page's (consent, theme), and the back office's
(the consent-rate period, a notice's draft)."""

from django import forms

from common.forms import PeriodForm as BasePeriodForm
from cookies.catalogue import THEMES, Catalogue
from cookies.models import ConsentRecord, PolicyVersion
from cookies.notice.content import SECTIONS


class ConsentForm(forms.Form):
    """The banner's and the settings page's buttons: accept all, reject all, or save choices."""

    action = forms.ChoiceField(
        choices=[("accept_all", "Accept all"), ("reject_all", "Reject all"), ("save", "Save")]
    )
    method = forms.ChoiceField(choices=ConsentRecord.Method.choices)
    categories = forms.MultipleChoiceField(required=False, widget=forms.CheckboxSelectMultiple)
    next = forms.CharField(required=False, max_length=500)

    def __init__(self, *args, catalogue: Catalogue, **kwargs):
        super().__init__(*args, **kwargs)
        self.catalogue = catalogue
        self.fields["categories"].choices = [(g.varname, g.name) for g in catalogue.optional]

    def accepted(self) -> set[str]:
        optional = {g.varname for g in self.catalogue.optional}
        match self.cleaned_data["action"]:
            case "accept_all":
                return optional
            case "reject_all":
                return set()
            case _:
                return set(self.cleaned_data["categories"]) & optional


class ThemeForm(forms.Form):
    theme = forms.ChoiceField(choices=THEMES, widget=forms.RadioSelect, label="Theme")


class PeriodForm(BasePeriodForm):
    """The consent-rate period: the last twelve weeks by default, two years at most."""

    default_days = 84
    max_days = 731


class PolicyDraftForm(forms.ModelForm):
    class Meta:
        model = PolicyVersion
        fields = ["body", "change_note"]
        labels = {"body": "Text (Markdown)", "change_note": "What changed"}
        widgets = {"body": forms.Textarea(attrs={"rows": 24})}


class PrivacyNoticeDraftForm(PolicyDraftForm):
    """The privacy notice's draft: its introduction, then the prose of each section, in order.
    The tables are generated; nothing here edits them."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["body"].label = "Introduction (Markdown)"
        self.fields["body"].widget.attrs["rows"] = 6
        sections = self.instance.sections if self.instance and self.instance.pk else {}
        sections = sections or self.initial.get("sections", {})
        for section in SECTIONS:
            self.fields[f"section_{section.key}"] = forms.CharField(
                label=section.heading,
                required=False,
                initial=sections.get(section.key, ""),
                widget=forms.Textarea(attrs={"rows": 8}),
                help_text="Markdown. The tables of this section are generated from the records."
                if section.tables
                else "Markdown.",
            )
        # The change note last, after the sections.
        self.order_fields([*[f for f in self.fields if f != "change_note"], "change_note"])

    def sections(self) -> dict:
        return {section.key: self.cleaned_data[f"section_{section.key}"] for section in SECTIONS}
