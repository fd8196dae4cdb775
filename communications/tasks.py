from celery import shared_task

from communications.services import marketing_send


# Named as it was in accounts, so a send queued by the release before the move still runs.
@shared_task(name="accounts.tasks.send_marketing")
def send_marketing(topic: str, subject: str, body: str) -> int:
    """Send one marketing e-mail to everyone who may receive it on ``topic``.

    Idempotent: each delivery is recorded, and a second run sends only to people added since.
    """
    return marketing_send(topic=topic, subject=subject, body=body)
