from celery import shared_task

from dsar.letters import letter_send
from dsar.models import RightsRequest


@shared_task
def send_letter(request_id: int, key: str, extra: dict) -> None:
    # Links with tokens are made here, from the database, so that none travels via the broker.
    request = RightsRequest.objects.filter(pk=request_id).first()
    if request is None:
        return
    if key == "verification":
        from dsar.intake import verification_url

        extra = {**extra, "verify_url": verification_url(request)}
    letter_send(key, request, **extra)
