"""Writes for the recipients app: webhook endpoints and their secrets."""

import datetime
import ipaddress
import secrets
from urllib.parse import urlsplit

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

import audit
from accounts.models import Organisation, User
from recipients.delivery import CONFIRM_SALT, payload_for
from recipients.models import Event, Notice, ProcessorContact, WebhookDelivery, WebhookEndpoint
from recipients.secrets import secret_encrypt, secret_new
from recipients.tasks import deliver_webhook, email_processor_notice

MAX_OVERLAP = datetime.timedelta(days=7)


def _ip(host: str):
    try:
        return ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return None


def _is_loopback(host: str) -> bool:
    address = _ip(host)
    return bool(address and address.is_loopback)


def _is_internal(host: str) -> bool:
    """An address inside our own network, given as a number or as localhost: a webhook must
    not become a way to reach it. (Names resolving to such addresses are not caught here.)"""
    address = _ip(host)
    if address is None:
        return host.lower() in {"localhost", "localhost.localdomain"}
    return not address.is_global


def _check(endpoint: WebhookEndpoint) -> None:
    errors: dict[str, list[str]] = {}
    parts = urlsplit(endpoint.url)
    plain_http_allowed = settings.DEBUG or (
        settings.WEBHOOKS_ALLOW_HTTP_LOOPBACK and _is_loopback(parts.hostname or "")
    )
    host = parts.hostname or ""
    if parts.scheme != "https" and not (parts.scheme == "http" and plain_http_allowed):
        errors["url"] = ["The address must start with https://."]
    elif _is_internal(host) and not (settings.DEBUG or plain_http_allowed):
        errors["url"] = ["The address must be on the public internet."]
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


def deliveries_create(*, notices: list[Notice]) -> list[WebhookDelivery]:
    """A delivery of each client notice to each active endpoint of its organisation that wants
    the event, sent after the transaction commits. Two queries however many notices: the
    endpoints, and one INSERT of the deliveries."""
    organisation_ids = {notice.organisation_id for notice in notices}
    endpoints: dict[int, list[WebhookEndpoint]] = {}
    for endpoint in WebhookEndpoint.objects.filter(
        organisation_id__in=organisation_ids, active=True
    ).order_by("pk"):
        endpoints.setdefault(endpoint.organisation_id, []).append(endpoint)
    now = timezone.now()
    # The event is filtered here rather than with JSON containment, which SQLite (the embedded
    # mode) lacks.
    deliveries = WebhookDelivery.objects.bulk_create(
        WebhookDelivery(
            notice=notice,
            endpoint=endpoint,
            message_id="msg_" + secrets.token_urlsafe(18),
            payload=payload_for(notice),
            next_attempt_at=now,
            created_at=now,
        )
        for notice in notices
        for endpoint in endpoints.get(notice.organisation_id, [])
        if notice.event in endpoint.events
    )
    for delivery in deliveries:
        transaction.on_commit(lambda pk=delivery.pk: deliver_webhook.delay(pk))
    return deliveries


class BadConfirmation(Exception):
    """The confirmation link was altered, or is not one of ours."""


class AlreadyConfirmed(Exception):
    """The notice was confirmed before: a link works once."""


def notice_confirm(*, token: str) -> Notice:
    """The recipient says it has acted on the notice. A second call changes nothing."""
    try:
        notice_id = signing.loads(token, salt=CONFIRM_SALT)
    except signing.BadSignature:
        raise BadConfirmation from None
    return _confirm(notice_id=notice_id, by_label="the recipient, by its confirmation link")


def notice_confirm_by_hand(*, notice: Notice, note: str, by) -> Notice:
    """The DPO records a confirmation received another way (an e-mail, a call)."""
    if not note.strip():
        raise ValidationError({"note": ["Say how the recipient confirmed."]})
    return _confirm(notice_id=notice.pk, by_label=by.get_username(), note=note.strip(), by=by)


def _confirm(*, notice_id, by_label: str, note: str = "", by=None) -> Notice:
    now = timezone.now()
    with transaction.atomic():
        # Conditional, so two calls racing confirm once and the second learns it.
        changed = Notice.objects.filter(pk=notice_id, status=Notice.Status.AWAITING).update(
            status=Notice.Status.CONFIRMED,
            subject_email="",
            confirmed_at=now,
            confirmed_by_label=by_label,
            confirmation_note=note,
        )
        notice = Notice.objects.filter(pk=notice_id).first()
        if notice is None:
            raise BadConfirmation
        if not changed:
            raise AlreadyConfirmed
        audit.record(
            by,
            "recipient.confirm",
            target=notice.subject,
            details={"recipient": notice.recipient_label, "event": notice.event},
        )
    return notice


def notices_send(*, event: str, reference: str, to: list[Notice]) -> list[Notice]:
    """Record the notices ``to`` (unsaved: a client organisation or a service provider told
    about one person) in one INSERT, and send each after the transaction commits: a client by
    each of its webhook endpoints that wants the event, a provider by e-mail."""
    for notice in to:
        notice.event, notice.request_reference = event, reference
        notice.subject_email = notice.subject.email
        if notice.organisation is not None:
            notice.kind, notice.recipient_label = Notice.Kind.CLIENT, notice.organisation.name
        else:
            notice.kind = Notice.Kind.PROCESSOR
    notices = Notice.objects.bulk_create(to)
    deliveries_create(notices=[n for n in notices if n.kind == Notice.Kind.CLIENT])
    for notice in notices:
        if notice.kind == Notice.Kind.PROCESSOR:
            transaction.on_commit(lambda pk=notice.pk: email_processor_notice.delay(pk))
    return notices


def notice_send(
    *, event: str, subject: User, organisation: Organisation, reference: str = ""
) -> Notice:
    """Tell one client organisation about one person."""
    notice = Notice(subject=subject, organisation=organisation)
    return notices_send(event=event, reference=reference, to=[notice])[0]


def notice_excuse(*, notice: Notice, reason: str, by) -> Notice:
    """The DPO records why a recipient's confirmation will not come: telling it proved
    impossible or would involve disproportionate effort (Article 19)."""
    if not reason.strip():
        raise ValidationError({"reason": ["Say why the confirmation cannot be obtained."]})
    with transaction.atomic():
        changed = Notice.objects.filter(pk=notice.pk, status=Notice.Status.AWAITING).update(
            status=Notice.Status.EXCUSED,
            subject_email="",
            confirmed_by_label=by.get_username(),
            confirmation_note=reason.strip(),
        )
        if not changed:
            raise AlreadyConfirmed
        audit.record(
            by,
            "recipient.excuse",
            target=notice.subject,
            details={"recipient": notice.recipient_label, "reason": reason.strip()},
        )
    notice.refresh_from_db()
    return notice


def processor_contact_set(*, processor, email: str, by) -> None:
    """Where a service provider takes privacy instructions; an empty address removes it (the
    DPO then tells the provider another way and records its confirmation by hand)."""
    email = email.strip()
    with transaction.atomic():
        if email:
            contact = ProcessorContact(processor=processor, email=email)
            contact.full_clean(exclude=["processor"])
            ProcessorContact.objects.update_or_create(
                processor=processor, defaults={"email": email}
            )
        else:
            ProcessorContact.objects.filter(processor=processor).delete()
        audit.record(
            by,
            "processor.privacy_contact",
            target=processor,
            details={"processor": processor.name, "set": bool(email)},
        )
