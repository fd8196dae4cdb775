"""Portability and withdrawal of consent: answered with the standard letter saying why the
right does not apply (the processing does not rest on consent). The DPO edits the letters."""

from dsar.models import RequestKind, RightsRequest
from dsar.services.letters import letter_render
from dsar.services.steps import rights_request_complete

NOT_APPLICABLE_LETTERS = {
    RequestKind.PORTABILITY: "portability_not_applicable",
    RequestKind.CONSENT_WITHDRAWAL: "consent_withdrawal_not_applicable",
}


def answer_not_applicable(*, request: RightsRequest, by) -> RightsRequest:
    """Complete the request with its "does not apply" letter as the answer."""
    key = NOT_APPLICABLE_LETTERS.get(request.kind)
    if key is None:
        raise ValueError(f"No 'does not apply' letter for a {request.kind} request.")
    _subject, body = letter_render(key, request)
    return rights_request_complete(request=request, outcome=body, by=by)
