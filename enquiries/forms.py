from django import forms

# The honeypot: an input people never see and so leave empty (rendered by the template, as on
# the rights-request form, so that includes/form.html never shows it with a label).
HONEYPOT_FIELD = "website"


class AccountEnquiryForm(forms.Form):
    """A logged-in user: their name and e-mail come from the account."""

    subject = forms.CharField(label="Subject", max_length=200)
    message = forms.CharField(
        label="Your message",
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="Please do not include passwords or codes.",
    )


class PublicEnquiryForm(AccountEnquiryForm):
    name = forms.CharField(
        label="Your name", max_length=200, widget=forms.TextInput(attrs={"autocomplete": "name"})
    )
    email = forms.EmailField(
        label="Your e-mail address",
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        help_text="We reply to this address.",
    )

    field_order = ["name", "email", "subject", "message"]


class ReplyForm(forms.Form):
    body = forms.CharField(
        label="Reply",
        max_length=10000,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text="Sent by e-mail to the person who wrote, and kept with the enquiry.",
    )
