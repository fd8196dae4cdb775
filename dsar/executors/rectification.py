"""Rectification: the DPO decides each proposed correction; approved ones go through the
accounts services to every matched account: ``user_rectify`` for details, and for an e-mail
address ``user_email_change_request``, so that it changes only once its owner confirms it."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from accounts.services.email_changes import user_email_change_request
from accounts.services.users import RECTIFIABLE_FIELDS, user_rectify
from dsar.executors._common import step
from dsar.models import RectificationItem, RightsRequest
from dsar.services.timeline import require_decider
from recipients.models import Event
from recipients.notify import recipients_tell

EMAIL = "email"
CORRECTABLE_FIELDS = (*RECTIFIABLE_FIELDS, EMAIL)


def _matched_users(request: RightsRequest):
    return User.objects.filter(pk__in=request.subjects.values("user_id")).order_by("pk")


def rectification_approve(*, item: RectificationItem, by) -> RectificationItem:
    require_decider(by)
    if item.decision != RectificationItem.Decision.PENDING:
        raise ValidationError("This correction has already been decided.")
    if item.field not in CORRECTABLE_FIELDS:
        raise ValidationError(f"“{item.field}” cannot be corrected here; reject it with a reason.")
    users = list(_matched_users(item.request))
    if not users:
        raise ValidationError("Match the request to an account before approving a correction.")
    with transaction.atomic():
        for user in users:
            if item.field == EMAIL:
                user_email_change_request(user=user, new_email=item.proposed_value, by=by)
            else:
                user_rectify(user=user, by=by, **{item.field: item.proposed_value})
        recipients_tell(event=Event.RECTIFIED, users=users, reference=item.request.reference)
        item.decision = RectificationItem.Decision.APPROVED
        item.decided_at = timezone.now()
        item.save(update_fields=["decision", "decided_at"])
        done = (
            "approved: a confirmation link was sent to the new address, and it changes when "
            "the link is followed."
            if item.field == EMAIL
            else "approved and applied."
        )
        step(
            item.request,
            by,
            "rectification_approve",
            f"Correction of {item.field} {done}",
            visible=True,
            field=item.field,
            users=[u.pk for u in users],
        )
    return item


def rectification_reject(*, item: RectificationItem, reason: str, by) -> RectificationItem:
    require_decider(by)
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": "Give the reason the correction is refused."})
    if item.decision != RectificationItem.Decision.PENDING:
        raise ValidationError("This correction has already been decided.")
    with transaction.atomic():
        item.decision = RectificationItem.Decision.REJECTED
        item.decision_reason = reason
        item.decided_at = timezone.now()
        item.save(update_fields=["decision", "decision_reason", "decided_at"])
        step(
            item.request,
            by,
            "rectification_reject",
            f"Correction of {item.field} refused: {reason}",
            visible=True,
            field=item.field,
        )
    return item
