"""Letters to the requester, queued to go once the step that sends them commits."""

from dsar.models import RightsRequest
from dsar.tasks import send_complaint_acknowledgement, send_letter


def letter_send(key: str, request: RightsRequest, **extra) -> None:
    send_letter.delay_on_commit(request.pk, key, extra)


def complaint_acknowledgement_send(request: RightsRequest, *, by=None) -> None:
    """The acknowledgement of a complaint, recorded as made once it has gone; ``by``: the team
    member who sends it, None when it goes on receipt."""
    send_complaint_acknowledgement.delay_on_commit(request.pk, getattr(by, "pk", None))
