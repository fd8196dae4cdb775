"""Writes for the recipients app: webhook endpoints and their secrets."""

import datetime
import ipaddress
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

import audit
from accounts.models import Organisation
from recipients.models import Event, WebhookEndpoint
from recipients.secrets import secret_encrypt, secret_new

MAX_OVERLAP = datetime.timedelta(days=7)


def _is_loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _check(endpoint: WebhookEndpoint) -> None:
    errors: dict[str, list[str]] = {}
    parts = urlsplit(endpoint.url)
    plain_http_allowed = settings.DEBUG or (
        settings.WEBHOOKS_ALLOW_HTTP_LOOPBACK and _is_loopback(parts.hostname or "")
    )
    if parts.scheme != "https" and not (parts.scheme == "http" and plain_http_allowed):
        errors["url"] = ["The address must start with https://."]
    if (
        not isinstance(endpoint.events, list)
        or not endpoint.events
        or not set(endpoint.events) <= set(Event.values)
    ):
        errors["events"] = [f"Choose one or more of: {', '.join(Event.values)}."]
    if errors:
        raise ValidationError(errors)
    endpoint.events = sorted(set(endpoint.events))
    endpoint.full_clean()


def webhook_endpoint_create(
    *, organisation: Organisation, url: str, events: list[str], active: bool = True, by
) -> tuple[WebhookEndpoint, str]:
    """A new endpoint and its signing secret: the only time the secret is returned."""
    secret = secret_new()
    endpoint = WebhookEndpoint(
        organisation=organisation,
        url=url,
        events=events,
        active=active,
        secret_encrypted=secret_encrypt(secret),
    )
    _check(endpoint)
    with transaction.atomic():
        endpoint.save()
        audit.record(by, "webhook.create", target=organisation, details={"url": url})
    return endpoint, secret


def webhook_endpoint_update(*, endpoint: WebhookEndpoint, by, **changes) -> WebhookEndpoint:
    for name in ("url", "events", "active"):
        if name in changes:
            setattr(endpoint, name, changes[name])
    _check(endpoint)
    with transaction.atomic():
        endpoint.save()
        audit.record(
            by,
            "webhook.update",
            target=endpoint.organisation,
            details={"url": endpoint.url, "changed": sorted(changes)},
        )
    return endpoint


def webhook_endpoint_delete(*, endpoint: WebhookEndpoint, by) -> None:
    with transaction.atomic():
        audit.record(
            by, "webhook.delete", target=endpoint.organisation, details={"url": endpoint.url}
        )
        endpoint.delete()


def webhook_secret_rotate(
    *, endpoint: WebhookEndpoint, overlap: datetime.timedelta, by
) -> tuple[WebhookEndpoint, str]:
    """A new secret; the current one keeps signing alongside it for ``overlap``."""
    if not datetime.timedelta(0) <= overlap <= MAX_OVERLAP:
        raise ValidationError({"overlap_hours": ["Between 0 and 168 hours."]})
    secret = secret_new()
    endpoint.previous_secret_encrypted = endpoint.secret_encrypted if overlap else ""
    endpoint.previous_secret_until = timezone.now() + overlap if overlap else None
    endpoint.secret_encrypted = secret_encrypt(secret)
    with transaction.atomic():
        endpoint.save()
        audit.record(
            by,
            "webhook.rotate_secret",
            target=endpoint.organisation,
            details={"url": endpoint.url, "overlap_hours": overlap.total_seconds() / 3600},
        )
    return endpoint, secret
