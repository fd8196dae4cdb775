"""Who may be sent marketing, what a person chose, and the unsubscribe links that say so."""

from django.conf import settings
from django.core import signing
from django.db.models import QuerySet
from django.urls import reverse

from accounts.models import User
from accounts.selectors import users_not_processable
from communications.models import CommunicationPreferences, MarketingTopic
from datamap.purposes import Purpose

# Kept from when this lived in accounts: changing it would break every link already sent.
UNSUBSCRIBE_SALT = "accounts.unsubscribe"


def may_send_marketing(user: User, topic: str) -> bool:
    """The one answer to "may we send this person marketing on this topic?" for every sender.

    Only to active accounts that opted in to the topic and never objected to direct marketing,
    whose processing is not restricted and who did not object to marketing on legitimate
    interests (accounts.selectors.may_process).
    """
    return marketing_recipients(topic).filter(pk=user.pk).exists()


def marketing_recipients(topic: str) -> QuerySet[User]:
    """Every user who may be sent marketing on ``topic``: the rule ``may_send_marketing`` asks."""
    if topic not in MarketingTopic.values:
        return User.objects.none()
    return User.objects.filter(
        status=User.Status.ACTIVE,
        communication_preferences__marketing_objection_at__isnull=True,
        **{f"communication_preferences__{topic}": True},
    ).exclude(pk__in=users_not_processable(Purpose.MARKETING))


def communication_preferences_of(user: User) -> CommunicationPreferences:
    """The user's preferences; an unsaved, all-off row when they never chose (no write on GET)."""
    preferences = CommunicationPreferences.objects.filter(user=user).first()
    return preferences or CommunicationPreferences(user=user)


def unsubscribe_token(*, user: User, topic: str) -> str:
    """A signed token naming a user and a topic. It never expires: old e-mails keep working."""
    return signing.dumps([user.pk, topic], salt=UNSUBSCRIBE_SALT)


def unsubscribe_url(*, user: User, topic: str) -> str:
    path = reverse(
        "communications:unsubscribe", kwargs={"token": unsubscribe_token(user=user, topic=topic)}
    )
    return f"{settings.SITE_URL}{path}"


def unsubscribe_from_token(token: str) -> tuple[User, str] | None:
    """The user and topic a link names, or None when the link is not one of ours."""
    try:
        user_id, topic = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except (signing.BadSignature, ValueError, TypeError):
        return None
    if topic not in MarketingTopic.values:
        return None
    user = User.objects.filter(pk=user_id).first()
    return (user, topic) if user is not None else None
