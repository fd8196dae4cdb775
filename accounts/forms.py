"""accounts' forms: the client admin console's (its users filter is shared with the users API),
accepting an invitation, and giving a case to a colleague in the back office."""

from django import forms
from django.contrib.auth import forms as auth_forms
from django.db.models import QuerySet

from accounts.api_selectors import users_matching
from accounts.models import ApiScope, Invitation, Role, User
from accounts.selectors import investigators
from accounts.services.invitations import CONFIRM_OTHER_DOMAIN, invitation_accept
from accounts.services.users import ORGANISATION_ROLES

ROLE_CHOICES = [(role.value, role.label) for role in ORGANISATION_ROLES]


class AssignForm(forms.Form):
    """Give a case (an investigation, a rights request) to a DPO or support colleague."""

    assignee = forms.ModelChoiceField(
        label="Assignee", queryset=User.objects.none(), required=False, empty_label="Nobody"
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = investigators()


class InvitationAcceptForm(auth_forms.SetPasswordForm):
    """Django's two new-password fields, with its validators, relabelled (as security's
    password forms are)."""

    def __init__(self, invitation: Invitation, *args, **kwargs):
        self.invitation = invitation
        super().__init__(invitation.user, *args, **kwargs)
        self.fields["new_password1"].label = "Choose a password"
        self.fields["new_password2"].label = "Password again"
        self.fields["new_password1"].help_text = (
            "At least 12 characters; not a common password, not only digits, "
            "and not too like your name or e-mail address."
        )

    def save(self, commit: bool = True):
        return invitation_accept(
            invitation=self.invitation, password=self.cleaned_data["new_password1"]
        )


class UserFilterForm(forms.Form):
    """Search by name or e-mail, filter by role and status. Every field is optional."""

    search = forms.CharField(
        label="Name or e-mail",
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"type": "search"}),
    )
    role = forms.ChoiceField(
        label="Role", required=False, choices=[("", "Any role"), *Role.choices]
    )
    status = forms.ChoiceField(
        label="Status", required=False, choices=[("", "Any status"), *User.Status.choices]
    )

    def filter(self, users: QuerySet[User]) -> QuerySet[User]:
        """``users`` narrowed by the filters, when they are all valid."""
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        if organisation := data.get("organisation"):  # the DPO's form
            users = users.filter(organisation=organisation)
        return users_matching(
            users, search=data.get("search"), role=data.get("role"), status=data.get("status")
        )


class InviteForm(forms.Form):
    email = forms.EmailField(label="E-mail address", max_length=254)
    full_name = forms.CharField(label="Full name", max_length=150)
    job_title = forms.CharField(label="Job title", max_length=150, required=False)
    role = forms.ChoiceField(label="Role", choices=ROLE_CHOICES, initial=Role.MEMBER)
    # Hidden until the service says the address is outside the organisation's domains.
    confirm_other_domain = forms.BooleanField(
        label="Invite anyway", required=False, widget=forms.HiddenInput
    )

    def ask_to_confirm_other_domain(self, refusal: Exception) -> None:
        """When the service refused an address outside the organisation's domains, show the
        "Invite anyway" checkbox, unticked, for its refusal to sit on."""
        if CONFIRM_OTHER_DOMAIN not in getattr(refusal, "error_dict", {}):
            return
        field = self.fields[CONFIRM_OTHER_DOMAIN]
        field.widget = forms.CheckboxInput()
        field.help_text = "Tick to send the invitation to this address all the same."


class UserDetailsForm(forms.Form):
    """A user's details. A new e-mail address is only asked for: it changes once the link sent
    to it is followed (accounts.services.user_email_change_request)."""

    full_name = forms.CharField(label="Full name", max_length=150)
    job_title = forms.CharField(label="Job title", max_length=150, required=False)
    email = forms.EmailField(
        label="E-mail address",
        max_length=254,
        help_text="A new address changes only once its owner follows the link we send to it.",
    )


class RoleForm(forms.Form):
    role = forms.ChoiceField(label="Role", choices=ROLE_CHOICES)


class SuspendForm(forms.Form):
    reason = forms.CharField(
        label="Reason",
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="The user is told this reason by e-mail, and it is kept in the audit trail.",
    )


class OrganisationSettingsForm(forms.Form):
    mfa_required = forms.BooleanField(
        label="Require two-step login (MFA) for every user",
        required=False,
        help_text="Admins always need it. With this on, members must enrol an authenticator too.",
    )


class PasskeySignInForm(forms.Form):
    prefix = "passkeys"

    sign_in = forms.BooleanField(
        label="Allow sign-in with a passkey alone",
        required=False,
        help_text=(
            "Your people may then sign in with a passkey (fingerprint, face or device PIN) "
            "instead of their password. Without it, a passkey is only their second step."
        ),
    )


class ApiKeyForm(forms.Form):
    name = forms.CharField(
        label="Name",
        max_length=50,
        help_text="What the key is for, e.g. the integration that will use it.",
    )
    scopes = forms.MultipleChoiceField(
        label="Scopes",
        choices=ApiScope.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text="Give a key only what its integration needs.",
    )
