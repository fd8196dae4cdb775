"""Demo: a client's webhook endpoint, and one recipient awaiting confirmation whose webhook
messages failed, so the DPO's page shows both states."""

from django.utils import timezone

from accounts.models import Organisation, User
from common.roles import Role
from recipients.models import Event, Notice, ProcessorContact, WebhookDelivery, WebhookEndpoint
from recipients.services import webhook_endpoint_create
from records.models import Processor

DEMO_URL = "https://hooks.example.com/privacydesk"


def recipients_demo_seed(*, organisation: Organisation) -> None:
    if WebhookEndpoint.objects.filter(organisation=organisation, url=DEMO_URL).exists():
        return
    processor = Processor.objects.order_by("name", "pk").first()
    if processor is not None:
        ProcessorContact.objects.get_or_create(
            processor=processor, defaults={"email": "privacy@provider.example"}
        )
    webhook_endpoint_create(
        organisation=organisation, url=DEMO_URL, events=list(Event.values), active=False, by=None
    )
    person = User.objects.filter(organisation=organisation, role=Role.MEMBER).order_by("pk").first()
    if person is None:
        return
    notice = Notice.objects.create(
        event=Event.RECTIFIED,
        kind=Notice.Kind.CLIENT,
        recipient_label=organisation.name,
        organisation=organisation,
        subject=person,
        subject_email=person.email,
    )
    now = timezone.now()
    WebhookDelivery.objects.create(
        notice=notice,
        message_id="msg_demo_failed",
        status=WebhookDelivery.Status.FAILED,
        attempts=12,
        next_attempt_at=now,
        created_at=now,
        finished_at=now,
        last_error="No answer: ConnectTimeout.",
    )
