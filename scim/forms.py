from django import forms


class ScimTokenForm(forms.Form):
    name = forms.CharField(
        label="Name",
        max_length=50,
        help_text="Which directory will use it, e.g. “Entra ID production” or “Okta”.",
    )
