"""Webhook deliveries, Standard Webhooks style (https://www.standardwebhooks.com/):
``webhook-id``, ``webhook-timestamp`` and ``webhook-signature`` (``v1,<base64 HMAC-SHA256 of
id.timestamp.body>``; several space-separated while a rotated secret overlaps)."""

import base64
import datetime
import hashlib
import hmac
import json

import requests
from django.conf import settings
from django.core import signing
from django.core.mail import send_mail
from django.urls import reverse
from django.utils import timezone
from requests_hardened import Config, Manager
from requests_hardened.ip_filter import InvalidIPAddress

from recipients.models import Event, Notice, WebhookDelivery
from recipients.secrets import secret_key_bytes
from recipients.selectors import signing_secrets

RETRY_FOR = datetime.timedelta(hours=24)
FIRST_RETRY = datetime.timedelta(seconds=30)
LONGEST_WAIT = datetime.timedelta(hours=4)
# Claimed attempts are leased, so a second worker does not send the same delivery at once.
LEASE = datetime.timedelta(seconds=60)
TIMEOUT = (3.05, 10)
CONFIRM_SALT = "recipients.notice.confirm"

INSTRUCTION = {
    Event.ERASED: "erase",
    Event.RECTIFIED: "correct",
    Event.RESTRICTED: "stop processing (keep only stored)",
    Event.RESTRICTION_LIFTED: "resume ordinary processing of",
}


def confirmation_token(notice: Notice) -> str:
    return signing.dumps(notice.pk, salt=CONFIRM_SALT)


def confirmation_url(notice: Notice) -> str:
    path = reverse("recipient-confirm", kwargs={"token": confirmation_token(notice)})
    return settings.SITE_URL + path


def sign(*, secrets_: list[str], message_id: str, timestamp: int, body: str) -> str:
    signed = f"{message_id}.{timestamp}.{body}".encode()
    return " ".join(
        "v1,"
        + base64.b64encode(
            hmac.new(secret_key_bytes(secret), signed, hashlib.sha256).digest()
        ).decode()
        for secret in secrets_
    )


def payload_for(notice: Notice) -> dict:
    """Only identifiers the client already holds: its user's id and e-mail address."""
    return {
        "type": notice.event,
        "timestamp": timezone.now().isoformat(),
        "data": {
            "user_id": notice.subject_id,
            "email": notice.subject_email,
            "rights_request": notice.request_reference,
            "confirmation_url": confirmation_url(notice),
        },
    }


def _backoff(attempts: int) -> datetime.timedelta:
    return min(FIRST_RETRY * 2 ** (attempts - 1), LONGEST_WAIT)


def webhook_delivery_attempt(*, delivery_id: int) -> str | None:
    """Send a due delivery once; on failure schedule the next try, or give up 24 hours on.

    Returns the delivery's status, or None when it was not due (or another worker has it).
    """
    now = timezone.now()
    claimed = WebhookDelivery.objects.filter(
        pk=delivery_id, status=WebhookDelivery.Status.PENDING, next_attempt_at__lte=now
    ).update(next_attempt_at=now + LEASE)
    if not claimed:
        return None
    delivery = WebhookDelivery.objects.select_related("endpoint").get(pk=delivery_id)
    delivery.attempts += 1
    error, retry = _send(delivery, now)
    if error is None:
        delivery.status = WebhookDelivery.Status.DELIVERED
        delivery.finished_at = now
        delivery.last_error = ""
        delivery.payload = _without_email(delivery.payload)
    else:
        delivery.last_error = error[:300]
        next_at = now + _backoff(delivery.attempts)
        if not retry or next_at - delivery.created_at > RETRY_FOR:
            delivery.status = WebhookDelivery.Status.FAILED
            delivery.finished_at = now
            delivery.payload = _without_email(delivery.payload)
        else:
            delivery.next_attempt_at = next_at
    delivery.save()
    return delivery.status


def _without_email(payload: dict) -> dict:
    """Once nothing more is sent, the stored copy keeps no e-mail address."""
    return {**payload, "data": {**payload.get("data", {}), "email": ""}}


REFUSED_ADDRESS = (
    "Refused: the address resolves to a private, loopback or link-local network address, not "
    "one on the public internet. Not retried."
)


def _http() -> Manager:
    """The HTTP client for deliveries. A webhook's host name is resolved when the connection
    is made and the connection goes to the address checked, so a name that resolves (or is
    made to resolve, after the endpoint was saved) to an address inside our network is refused
    (SSRF). DEBUG lifts the check; WEBHOOKS_ALLOW_HTTP_LOOPBACK lets loopback through (tests
    with a real receiver on 127.0.0.1). Redirects are never followed."""
    return Manager(
        Config(
            ip_filter_enable=not settings.DEBUG,
            ip_filter_allow_loopback_ips=settings.WEBHOOKS_ALLOW_HTTP_LOOPBACK,
            never_redirect=True,
            default_timeout=TIMEOUT,
        )
    )


def _send(delivery: WebhookDelivery, now: datetime.datetime) -> tuple[str | None, bool]:
    """(None, _) once the receiver took it; else (what went wrong, whether to try again)."""
    endpoint = delivery.endpoint
    if endpoint is None or not endpoint.active:
        return "The endpoint was removed or switched off.", True
    body = json.dumps(delivery.payload, separators=(",", ":"))
    timestamp = int(now.timestamp())
    headers = {
        "content-type": "application/json",
        "user-agent": "PrivacyDesk-Webhooks/1",
        "webhook-id": delivery.message_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": sign(
            secrets_=signing_secrets(endpoint),
            message_id=delivery.message_id,
            timestamp=timestamp,
            body=body,
        ),
    }
    try:
        response = _http().send_request(
            "POST",
            endpoint.url,
            data=body.encode(),
            headers=headers,
            timeout=TIMEOUT,
            allow_redirects=False,
        )
    except InvalidIPAddress:
        return REFUSED_ADDRESS, False
    except requests.RequestException as exc:
        return f"No answer: {type(exc).__name__}.", True
    if 200 <= response.status_code < 300:
        return None, False
    return f"The receiver answered {response.status_code}.", True


def deliveries_due() -> list[int]:
    return list(
        WebhookDelivery.objects.filter(
            status=WebhookDelivery.Status.PENDING, next_attempt_at__lte=timezone.now()
        ).values_list("pk", flat=True)[:500]
    )


def processor_notice_email(*, notice_id: int) -> bool:
    """E-mail a service provider its instruction and confirmation link. The person is named by
    the e-mail address the provider holds for them; nothing else."""
    notice = (
        Notice.objects.select_related("processor__privacy_contact")
        .filter(pk=notice_id, kind=Notice.Kind.PROCESSOR)
        .first()
    )
    contact = getattr(notice.processor, "privacy_contact", None) if notice else None
    if contact is None:
        return False  # the DPO tells them another way and records the confirmation by hand
    body = (
        f"Under UK GDPR Article 19 we ask you to {INSTRUCTION[notice.event]} the personal data "
        f"you process for us about the person with the e-mail address {notice.subject_email}.\n\n"
        f"When you have done so, confirm by sending a POST request to this link (it works "
        f"once):\n{confirmation_url(notice)}\n\n"
        "Or reply to this e-mail and our data protection officer will record it."
    )
    send_mail(
        f"Privacy instruction: {notice.get_event_display().lower()}",
        body,
        settings.DEFAULT_FROM_EMAIL,
        [contact.email],
    )
    return True
