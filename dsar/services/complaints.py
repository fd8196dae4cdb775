"""The team's steps on a complaint (Data Protection Act 2018 s.164A): sending the
acknowledgement from the back office, and the DPO's outcome with its letter."""

from django.core.exceptions import ValidationError
from django.db import transaction

from dsar.models import ComplaintOutcome, RightsRequest, State
from dsar.selectors import complaint_acknowledgeable_by_email
from dsar.services.outgoing import complaint_acknowledgement_send, letter_send
from dsar.services.timeline import audit_step, require_decider, require_staff, state_move
from dsar.workflow import TransitionRefused

# How the outcome letter words each decision: "We have looked into your complaint …, and …".
DECISION_WORDS = {
    ComplaintOutcome.UPHELD: "we uphold your complaint",
    ComplaintOutcome.PARTLY_UPHELD: "we uphold your complaint in part",
    ComplaintOutcome.NOT_UPHELD: "we do not uphold your complaint",
}
ANSWERED_WITH_AN_OUTCOME = (
    "A complaint is answered with its outcome (upheld, partly upheld or not upheld): use "
    "“Answer the complaint”."
)


def _require_complaint(request: RightsRequest) -> None:
    if not request.is_complaint:
        raise TransitionRefused("This step is for complaints only.")


def complaint_acknowledge(*, request: RightsRequest, by) -> RightsRequest:
    """E-mail the acknowledgement now (it normally goes on receipt; this is for one that did
    not go). It counts once it has gone: dsar.services.acknowledgement records it then."""
    require_staff(by)
    _require_complaint(request)
    if not request.is_open:
        raise TransitionRefused("This complaint is closed.")
    if request.acknowledged_at is not None:
        raise TransitionRefused("This complaint has been acknowledged already.")
    if not complaint_acknowledgeable_by_email(request):
        raise TransitionRefused(
            "The complainant gave no e-mail address of their own: acknowledge by post or "
            "phone, and record it."
        )
    audit_step(by, "rights_request.complaint_acknowledgement_sent", request)
    complaint_acknowledgement_send(request, by=by)
    return request


def complaint_answer(*, request: RightsRequest, outcome: str, answer: str, by) -> RightsRequest:
    """The DPO decides the outcome and writes the answer; the complainant gets the outcome
    letter, which names their right to complain to the ICO, and the complaint completes."""
    require_decider(by)
    _require_complaint(request)
    answer = answer.strip()
    errors = {}
    if outcome not in ComplaintOutcome.values:
        errors["outcome"] = "Choose the outcome: upheld, partly upheld or not upheld."
    if not answer:
        errors["answer"] = "Write the answer the complainant will receive."
    if errors:
        raise ValidationError(errors)
    label = ComplaintOutcome(outcome).label
    with transaction.atomic():
        request.outcome = answer
        request.complaint_outcome = outcome
        state_move(request, State.COMPLETED, by=by, body=f"Outcome: {label}.\n\n{answer}")
        audit_step(by, "rights_request.complaint_answered", request, outcome=outcome)
        letter_send("complaint_outcome", request, decision=DECISION_WORDS[outcome], message=answer)
    return request
