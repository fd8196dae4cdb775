from celery import shared_task

from accounts.models import Invitation, User
from accounts.notifications import notice_send


@shared_task
def send_account_notice(user_id: int, kind: str, context: dict) -> None:
    user = User.objects.filter(pk=user_id).first()
    if user is not None:
        notice_send(user=user, kind=kind, context=context)


@shared_task
def send_invitation(invitation_id: int) -> None:
    # The link is made here, from the database, so that no token travels through the broker.
    from accounts.services import invitation_url

    invitation = Invitation.objects.select_related("user__organisation").filter(pk=invitation_id)
    invitation = invitation.first()
    if invitation is not None and invitation.is_usable:
        notice_send(
            user=invitation.user,
            kind="invitation",
            context={"invitation": invitation, "url": invitation_url(invitation)},
        )


@shared_task
def send_marketing(topic: str, subject: str, body: str) -> int:
    """Send one marketing e-mail to everyone who may receive it on ``topic``.

    Idempotent: each delivery is recorded, and a second run sends only to people added since.
    """
    from accounts.communications import marketing_send

    return marketing_send(topic=topic, subject=subject, body=body)
