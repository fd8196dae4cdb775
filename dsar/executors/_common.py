"""What every executor step does: put it on the request's timeline and in the audit trail."""

import audit
from dsar.models import RequestEvent, RightsRequest


def step(
    request: RightsRequest, by, action: str, body: str, *, visible: bool = False, **details
) -> RequestEvent:
    is_user = getattr(by, "is_authenticated", False)
    event = RequestEvent.objects.create(
        request=request,
        kind=RequestEvent.Kind.ACTION,
        actor=by if is_user else None,
        actor_label=by.get_username() if is_user else "system",
        visible_to_requester=visible,
        body=body,
    )
    audit.record(
        by if is_user else None,
        f"rights_request.{action}",
        target=request,
        details={"reference": request.reference, **details},
    )
    return event
