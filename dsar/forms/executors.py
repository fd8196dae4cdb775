from django import forms

from accounts.reauth import ReauthenticationForm
from datamap.purposes import CONTINUES_AFTER_OBJECTION
from dsar.executors.restriction import stoppable


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
    """The reassessment: which of the uses objected to stop; grounds for any that continue."""

    stop = forms.MultipleChoiceField(
        label="Uses to stop for this person",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Uphold the objection for some or all of them. Any left unticked continues "
        "on compelling legitimate grounds, which you give below.",
    )
    reasons = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Required for a use that continues; the requester receives it.",
    )
    restrict = forms.BooleanField(
        required=False, label="Also restrict the processing of the person's data"
    )

    def __init__(self, *args, objected, **kwargs):
        super().__init__(*args, **kwargs)
        self.objected = objected
        self.fields["stop"].choices = [(p.value, p.label) for p in stoppable(objected)]
        self.fields["stop"].initial = [p.value for p in stoppable(objected)]

    def continuing(self):
        """What continues whatever is ticked, with the reason the letter gives."""
        return [
            (purpose.label, CONTINUES_AFTER_OBJECTION[purpose])
            for purpose in self.objected
            if purpose in CONTINUES_AFTER_OBJECTION
        ]

    def clean(self):
        data = super().clean()
        offered = {value for value, _label in self.fields["stop"].choices}
        kept = offered - set(data.get("stop") or [])
        if kept and not (data.get("reasons") or "").strip():
            self.add_error("reasons", "Give the compelling legitimate grounds for what continues.")
        return data


class RestrictionLiftNoticeForm(forms.Form):
    reason = forms.CharField(
        label="Why the restriction will be lifted",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        help_text="For example: we have checked your data and it is accurate. The person "
        "receives it by e-mail before the restriction is lifted.",
    )
