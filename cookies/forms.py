from django import forms

from cookies.catalogue import THEMES, Catalogue
from cookies.models import ConsentRecord


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
