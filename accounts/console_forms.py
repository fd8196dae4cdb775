"""Forms of the client admin console. The users filter is shared with the users API."""

from django import forms
from django.db.models import Q, QuerySet

from accounts.models import ApiScope, Role, User
from accounts.services.users import ORGANISATION_ROLES

ROLE_CHOICES = [(role.value, role.label) for role in ORGANISATION_ROLES]


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
        if search := data.get("search"):
            users = users.filter(Q(full_name__icontains=search) | Q(email__icontains=search))
        for name in ("organisation", "role", "status"):  # the organisation: the DPO's form
            if value := data.get(name):
                users = users.filter(**{name: value})
        return users


class InviteForm(forms.Form):
    email = forms.EmailField(label="E-mail address", max_length=254)
    full_name = forms.CharField(label="Full name", max_length=150)
    job_title = forms.CharField(label="Job title", max_length=150, required=False)
    role = forms.ChoiceField(label="Role", choices=ROLE_CHOICES, initial=Role.MEMBER)


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
