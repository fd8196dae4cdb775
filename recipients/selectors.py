"""Reads for the recipients app."""

from django.db.models import QuerySet
from django.utils import timezone

from recipients.models import WebhookEndpoint
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
