from datetime import datetime

from celery import shared_task
from django.utils import timezone

from accounts.email_links import email_change_url, invitation_url
from accounts.models import EmailChange, Invitation, User
from accounts.services.invitation_expiry import invitations_expire
from accounts.services.notifications import NOTICES, notice_send


@shared_task
def send_account_notice(user_id: int, kind: str, context: dict) -> None:
    user = User.objects.filter(pk=user_id).first()
    if user is not None:
        if isinstance(context.get("at"), str):
            # When it happened, not when the worker got to it: the notice names the time.
            context = {**context, "at": datetime.fromisoformat(context["at"])}
        notice_send(user=user, kind=kind, context=context)


def notice_enqueue(*, user, kind: str, context: dict | None = None) -> None:
    """Send a notice once the current transaction commits. ``context`` holds no secrets.

    The notice's template reads ``at``, the moment of the event, unless the context names one.
    """
    if kind not in NOTICES:
        raise ValueError(f"Unknown notice {kind!r}")
    context = {"at": timezone.now().isoformat(), **(context or {})}
    send_account_notice.delay_on_commit(user.pk, kind, context)


@shared_task
def expire_invitations() -> int:
    """Hourly: invitations past their 72 hours marked expired (idempotent)."""
    return invitations_expire()


@shared_task
def send_invitation(invitation_id: int) -> None:
    # The link is made here, from the database, so that no token travels through the broker.
    invitation = Invitation.objects.select_related("user__organisation").filter(pk=invitation_id)
    invitation = invitation.first()
    # A user suspended before the mail went (provisioning can create a deactivated user)
    # could not accept it: the link would only fail.
    if (
        invitation is not None
        and invitation.is_usable
        and invitation.user.status == User.Status.INVITED
    ):
        notice_send(
            user=invitation.user,
            kind="invitation",
            context={"invitation": invitation, "url": invitation_url(invitation)},
        )


def _email_change(change_id: int) -> EmailChange | None:
    return EmailChange.objects.select_related("user", "requested_by").filter(pk=change_id).first()


@shared_task
def send_email_change(change_id: int) -> None:
    """The confirmation link to the new address, and word of the request to the current one.
    The link is made here, from the database, so that no token travels through the broker."""
    change = _email_change(change_id)
    if change is None or not change.is_pending:
        return
    context = {"change": change}
    notice_send(
        user=change.user,
        kind="email_change_confirm",
        context={**context, "url": email_change_url(change)},
        to=change.new_email,
    )
    notice_send(
        user=change.user, kind="email_change_requested", context=context, to=change.old_email
    )


@shared_task
def send_email_changed(change_id: int, origin: dict | None = None) -> None:
    """Tell the old address that the change it was told of has happened, and the new address
    that it is now the account's. ``origin``: the IP and device that followed the link."""
    change = _email_change(change_id)
    if change is not None and change.confirmed_at is not None:
        context = {"change": change, "at": change.confirmed_at, **(origin or {})}
        notice_send(user=change.user, kind="email_changed", context=context, to=change.old_email)
        notice_send(
            user=change.user,
            kind="email_changed_new_address",
            context=context,
            to=change.new_email,
        )
