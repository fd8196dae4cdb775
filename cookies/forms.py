"""cookies' forms: the banner's and settings page's (consent, theme), and the back office's
(the consent-rate period, a notice's draft)."""

from django import forms

from common.forms import PeriodForm as BasePeriodForm
from cookies.catalogue import THEMES, Catalogue
from cookies.models import ConsentRecord, PolicyVersion


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
