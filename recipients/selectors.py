"""Reads for the recipients app."""

from django.db.models import QuerySet
from django.utils import timezone

from common.present import when
from recipients.models import Notice, WebhookDelivery, WebhookEndpoint
from recipients.secrets import secret_decrypt


def webhook_endpoints_of(organisation_id: int | None) -> QuerySet[WebhookEndpoint]:
    return WebhookEndpoint.objects.filter(organisation_id=organisation_id)


def signing_secrets(endpoint: WebhookEndpoint) -> list[str]:
    """The secrets that sign a delivery now: the current one, and the previous one while its
    overlap lasts."""
    secrets = [secret_decrypt(endpoint.secret_encrypted)]
    until = endpoint.previous_secret_until
    if endpoint.previous_secret_encrypted and until and until > timezone.now():
        secrets.append(secret_decrypt(endpoint.previous_secret_encrypted))
    return secrets


def notices_of_request(reference: str) -> QuerySet[Notice]:
    return Notice.objects.filter(request_reference=reference).order_by("recipient_label", "pk")


def notices_awaiting(reference: str) -> QuerySet[Notice]:
    return notices_of_request(reference).filter(status=Notice.Status.AWAITING)


def failed_deliveries() -> QuerySet[WebhookDelivery]:
    return WebhookDelivery.objects.filter(status=WebhookDelivery.Status.FAILED).select_related(
        "notice", "endpoint"
    )


def recipients_told_in_words(reference: str) -> str:
    """For the completion letter: each recipient told, what, and where it stands."""
    lines = []
    for notice in notices_of_request(reference):
        state = notice.get_status_display()
        if notice.confirmed_at:
            state += f" on {when(notice.confirmed_at)}"
        if notice.status == Notice.Status.EXCUSED:
            state += f" ({notice.confirmation_note})"
        lines.append(f"- {notice.recipient_label}: {notice.get_event_display().lower()}. {state}.")
    if not lines:
        return ""
    return "The recipients of your data we told (UK GDPR Article 19):\n" + "\n".join(lines)
