"""Marketing e-mail: what a person asked for, how they stop it, and the one way we send it.

Newsletters, webinar invitations and product news go only to people who opted in to that
topic and never objected to direct marketing: ``communications.selectors.marketing_recipients``
answers that for every sender. Each e-mail carries its own unsubscribe link, which works
without logging in, and RFC 8058 one-click headers. Service and security notices are not
marketing (``accounts/services/notifications.py``) and are always sent.
"""

import hashlib
from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

import audit
from accounts.models import User
from communications.models import (
    CommunicationPreferences,
    MarketingDelivery,
    MarketingSend,
    MarketingTopic,
)
from communications.selectors import marketing_recipients, unsubscribe_url

SEND_BATCH = 100


# --- Writes -------------------------------------------------------------------------------


def _preferences_for_update(user: User) -> CommunicationPreferences:
    preferences, _ = CommunicationPreferences.objects.select_for_update().get_or_create(user=user)
    return preferences


def communication_preferences_update(
    *, user: User, newsletter: bool, webinars: bool, product_updates: bool
) -> CommunicationPreferences:
    """Record the topics the user opted in to. Audited when anything changes."""
    wanted = {
        "newsletter": bool(newsletter),
        "webinars": bool(webinars),
        "product_updates": bool(product_updates),
    }
    with transaction.atomic():
        preferences = _preferences_for_update(user)
        changed = {
            name: value for name, value in wanted.items() if getattr(preferences, name) != value
        }
        if changed:
            for name, value in changed.items():
                setattr(preferences, name, value)
            preferences.full_clean()
            preferences.save()
            audit.record(user, "communications.update", target=user, details=changed)
    return preferences


def marketing_unsubscribe(*, user: User, topic: str) -> CommunicationPreferences:
    """Stop one topic (the e-mail's unsubscribe link). Running it twice changes nothing more."""
    if topic not in MarketingTopic.values:
        raise ValidationError({"topic": "Unknown topic."})
    with transaction.atomic():
        preferences = _preferences_for_update(user)
        if getattr(preferences, topic):
            setattr(preferences, topic, False)
            preferences.save()
            audit.record(user, "communications.unsubscribe", target=user, details={"topic": topic})
    return preferences


def marketing_object(*, user: User, by, source: str) -> CommunicationPreferences:
    """An objection to direct marketing: every topic stops, now and for every sender.

    ``source`` says where it came from ("account", "unsubscribe_link", "rights_request"...).
    The topics are switched off too, so the page shows what will be sent: nothing.
    """
    with transaction.atomic():
        preferences = _preferences_for_update(user)
        if preferences.marketing_objection_at is None:
            preferences.marketing_objection_at = timezone.now()
        for topic in MarketingTopic.values:
            setattr(preferences, topic, False)
        preferences.save()
        audit.record(
            by if by is not None and getattr(by, "is_authenticated", False) else None,
            "communications.marketing_objection",
            target=user,
            details={"source": source},
        )
    return preferences


def marketing_objection_withdraw(*, user: User) -> CommunicationPreferences:
    """The person withdraws their own objection; no topic is switched back on by it."""
    with transaction.atomic():
        preferences = _preferences_for_update(user)
        if preferences.marketing_objection_at is not None:
            preferences.marketing_objection_at = None
            preferences.save()
            audit.record(user, "communications.marketing_objection_withdrawn", target=user)
    return preferences


# --- Sending ------------------------------------------------------------------------------


def marketing_message(*, user: User, topic: str, subject: str, body: str) -> EmailMessage:
    """One marketing e-mail with its own unsubscribe link and one-click headers (RFC 8058)."""
    url = unsubscribe_url(user=user, topic=topic)
    text = render_to_string(
        "communications/emails/marketing.txt",
        {
            "user": user,
            "body": body,
            "topic_label": MarketingTopic(topic).label,
            "unsubscribe_url": url,
            "preferences_url": f"{settings.SITE_URL}{reverse('communications:communications')}",
        },
    )
    return EmailMessage(
        subject=subject,
        body=text,
        to=[user.email],
        headers={
            "List-Unsubscribe": f"<{url}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    )


def marketing_send(
    *,
    topic: str,
    subject: str,
    body: str,
    progress: Callable[[int, int], None] | None = None,
) -> int:
    """Send one marketing e-mail on ``topic`` to everyone who may receive it; returns how many.

    The recipients are exactly ``marketing_recipients(topic)``, less anyone who already had
    this e-mail (the same topic, subject and body): running it twice sends nothing more.
    The audit entry records the topic and the count, not the recipients. ``progress(sent,
    total)`` follows each batch.
    """
    if topic not in MarketingTopic.values:
        raise ValidationError({"topic": "Unknown topic."})
    subject = (subject or "").strip()
    if not subject or not (body or "").strip():
        raise ValidationError("A marketing e-mail needs a subject and a body.")
    key = hashlib.sha256("\x00".join([topic, subject, body]).encode()).hexdigest()
    send, _ = MarketingSend.objects.get_or_create(
        key=key, defaults={"topic": topic, "subject": subject[:200]}
    )
    recipients = (
        marketing_recipients(topic)
        .exclude(pk__in=send.deliveries.values("user_id"))
        .only("pk", "email", "full_name")
        .order_by("pk")
    )
    total = recipients.count()
    sent = 0
    batch: list[tuple[User, EmailMessage]] = []

    def flush(connection) -> int:
        delivered = connection.send_messages([message for _, message in batch]) or 0
        # Recorded right after sending: a crash in between could resend one batch, never more.
        MarketingDelivery.objects.bulk_create(
            [MarketingDelivery(send=send, user=user) for user, _ in batch],
            ignore_conflicts=True,
        )
        batch.clear()
        return delivered

    with get_connection() as connection:
        for user in recipients.iterator(chunk_size=500):
            message = marketing_message(user=user, topic=topic, subject=subject, body=body)
            batch.append((user, message))
            if len(batch) >= SEND_BATCH:
                sent += flush(connection)
                if progress:
                    progress(sent, total)
        if batch:
            sent += flush(connection)
            if progress:
                progress(sent, total)
    audit.record(None, "marketing.send", details={"topic": topic, "recipients": sent})
    return sent
