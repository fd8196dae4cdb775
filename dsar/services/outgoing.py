"""Letters to the requester, queued to go once the step that sends them commits."""

from dsar.models import RightsRequest
from dsar.tasks import send_letter


def letter_send(key: str, request: RightsRequest, **extra) -> None:
    send_letter.delay_on_commit(request.pk, key, extra)
