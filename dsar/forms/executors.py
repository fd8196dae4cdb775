from django import forms

from accounts.reauth import ReauthenticationForm
from dsar.executors.restriction import COMPELLING, UPHELD


class RectificationDecisionForm(forms.Form):
    decision = forms.ChoiceField(choices=[("approve", "Approve"), ("reject", "Reject")])
    reason = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Needed for a rejection: the requester sees it.",
    )

    def clean(self):
        data = super().clean()
        if data.get("decision") == "reject" and not (data.get("reason") or "").strip():
            self.add_error("reason", "Give the reason the correction is refused.")
        return data


class ErasureApproveForm(ReauthenticationForm):
    terminate_account = forms.BooleanField(
        required=False,
        label="Terminate the matched account(s) first",
        help_text="Without it, what the account needs while active is kept.",
    )
    reauth_help = "Erasure cannot be undone: confirm it with your password."


class ObjectionDecisionForm(forms.Form):
    outcome = forms.ChoiceField(
        choices=[
            (UPHELD, "Objection upheld: stop the processing"),
            (COMPELLING, "Compelling legitimate grounds override the objection"),
        ],
        widget=forms.RadioSelect,
    )
    reasons = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Required for compelling grounds; the requester receives it.",
    )
    restrict = forms.BooleanField(
        required=False, label="Also restrict the processing of the person's data"
    )

    def clean(self):
        data = super().clean()
        if data.get("outcome") == COMPELLING and not (data.get("reasons") or "").strip():
            self.add_error("reasons", "Give the compelling legitimate grounds.")
        return data
