"""Forms of the organisation pages. The services check the rules; these only read input."""

from django import forms
from django.utils import timezone

from accounts.models import GroupCompany, Organisation
from accounts.reauth import ReauthenticationForm


class OrganisationCreateForm(forms.Form):
    name = forms.CharField(label="Organisation name", max_length=200)
    admin_email = forms.EmailField(
        label="First client admin's e-mail address",
        max_length=254,
        help_text="They get a link, valid for 72 hours, to set a password.",
    )
    admin_name = forms.CharField(label="First client admin's name", max_length=150, required=False)
    mfa_required = forms.BooleanField(
        label="Require two-step login (MFA) for every user",
        required=False,
        help_text="Client admins always need it; with this on, members do too.",
    )


class MfaRequiredForm(forms.Form):
    mfa_required = forms.BooleanField(required=False)


class EmailDomainsForm(forms.Form):
    domains = forms.CharField(
        label="Allowed e-mail domains",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=(
            "One per line (or separated by commas), e.g. example.co.uk. An invitation to "
            "another domain asks for a confirmation. Leave empty to allow any domain."
        ),
    )

    def clean_domains(self) -> list[str]:
        text = self.cleaned_data["domains"].replace(",", "\n")
        return [line.strip() for line in text.splitlines() if line.strip()]


class GroupCompanyForm(forms.Form):
    member = forms.ModelChoiceField(
        label="Organisation entitled to the reports",
        queryset=Organisation.objects.none(),
        help_text="Another client organisation; its client admins will see this one's reports.",
    )
    relationship = forms.ChoiceField(
        label="Its relationship to this client",
        choices=GroupCompany.Relationship.choices,
        initial=GroupCompany.Relationship.GROUP_COMPANY,
        widget=forms.RadioSelect,
    )
    requested_on = forms.DateField(
        label="Date of the client's written request",
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    def __init__(self, *args, organisation: Organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["member"].queryset = (
            Organisation.objects.exclude(pk=organisation.pk)
            .exclude(status=Organisation.Status.CLOSED)
            .order_by("name")
        )

    def clean_requested_on(self):
        requested_on = self.cleaned_data["requested_on"]
        if requested_on > timezone.localdate():
            raise forms.ValidationError("The request cannot be dated in the future.")
        return requested_on


class CloseForm(ReauthenticationForm):
    reason = forms.CharField(
        label="Reason",
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Kept with the organisation and in the audit trail.",
    )
    effective_on = forms.DateField(
        label="Effective date",
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="The day the contract ends: today or earlier.",
    )
    reauth_help = "Closing ends every account of the organisation."


class ReopenForm(ReauthenticationForm):
    reauth_help = "Reopening restores the accounts the closure ended."
