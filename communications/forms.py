from django import forms


class CommunicationPreferencesForm(forms.Form):
    # Never pre-ticked: a box is ticked only when the person ticked it before.
    newsletter = forms.BooleanField(
        label="Newsletter",
        required=False,
        help_text="News about privacy and PrivacyDesk, about once a month.",
    )
    webinars = forms.BooleanField(
        label="Webinar invitations",
        required=False,
        help_text="Invitations to our webinars and online events.",
    )
    product_updates = forms.BooleanField(
        label="Product information and updates",
        required=False,
        help_text="New features and changes to the products you use.",
    )
