"""Forms of single sign-on: the connection's settings, a claimed domain, and the e-mail
address that finds a person's way in."""

from django import forms

from sso.models import CONNECTION_SETTINGS, SsoConnection
from sso.selectors import break_glass_candidates


class SsoEmailForm(forms.Form):
    email = forms.EmailField(
        label="Work e-mail address",
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "username", "autofocus": True}),
    )


class DomainClaimForm(forms.Form):
    domain = forms.CharField(
        label="E-mail domain",
        max_length=253,
        help_text="The part of your people's addresses after the @, such as example.co.uk. "
        "PrivacyDesk staff verify it with you before it is used.",
    )


class ConnectionForm(forms.Form):
    protocol = forms.ChoiceField(
        label="Protocol", choices=SsoConnection.Protocol.choices, widget=forms.RadioSelect
    )
    enabled = forms.BooleanField(
        label="Turn single sign-on on",
        required=False,
        help_text="People in your verified domains can log in through your identity provider.",
    )
    idp_metadata_url = forms.URLField(
        label="SAML: identity provider's metadata URL",
        required=False,
        max_length=1000,
        assume_scheme="https",
        help_text="Fetched when you save, and again every night (certificate rollover).",
    )
    idp_metadata_xml = forms.CharField(
        label="SAML: or its metadata XML",
        required=False,
        max_length=1_000_000,
        strip=True,
        widget=forms.Textarea(attrs={"rows": 6, "spellcheck": "false"}),
        help_text="Paste the federation metadata document when the IdP has no public URL.",
    )
    oidc_issuer = forms.URLField(
        label="OpenID Connect: issuer",
        required=False,
        max_length=500,
        assume_scheme="https",
        help_text="The address before /.well-known/openid-configuration.",
    )
    oidc_client_id = forms.CharField(label="OpenID Connect: client ID", required=False)
    oidc_client_secret = forms.CharField(
        label="OpenID Connect: client secret",
        required=False,
        strip=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
        help_text="Stored encrypted and never shown again. Leave empty to keep the one stored.",
    )
    email_attribute = forms.CharField(
        label="Attribute or claim with the e-mail address",
        required=False,
        max_length=255,
        help_text="Leave empty for the usual place: the email claim (OpenID Connect), or the "
        "email/mail attribute and else the NameID (SAML).",
    )
    jit_enabled = forms.BooleanField(
        label="Create an account at a person's first login",
        required=False,
        help_text="Someone in a verified domain without an account becomes a member.",
    )
    role_attribute = forms.CharField(
        label="Attribute or claim with a role (optional)",
        required=False,
        max_length=255,
    )
    admin_role_value = forms.CharField(
        label="Role value that makes a client admin",
        required=False,
        max_length=255,
        help_text="An account created at first login carrying this value becomes a client "
        "admin; any other a member. Roles of existing accounts are changed in the console.",
    )
    allow_idp_initiated = forms.BooleanField(
        label="Allow logins started from the identity provider (SAML)",
        required=False,
        help_text="Off by default: a login started from our login page is bound to the "
        "browser that started it; one started from the IdP's portal cannot be.",
    )
    sso_required = forms.BooleanField(
        label="Require single sign-on",
        required=False,
        help_text="Nobody with an address in your verified domains logs in with a password or "
        "resets one, except the break-glass admin. People with other addresses keep theirs.",
    )
    break_glass_admin = forms.ModelChoiceField(
        label="Break-glass admin",
        required=False,
        queryset=None,
        empty_label="Nobody",
        help_text="One client admin who may still log in with a password and two-step login, "
        "at /accounts/login/password/, should the identity provider fail.",
    )

    def __init__(self, *args, organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["break_glass_admin"].queryset = break_glass_candidates(organisation)

    @staticmethod
    def initial_from(connection: SsoConnection | None) -> dict:
        if connection is None:
            return {"protocol": SsoConnection.Protocol.SAML}
        return {
            **{
                name: getattr(connection, name)
                for name in CONNECTION_SETTINGS
                if name != "break_glass_admin"
            },
            "break_glass_admin": connection.break_glass_admin_id,
        }
