"""Rectification: the DPO decides each proposed correction; approved ones go through the
accounts service (``user_rectify``) to every matched account."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from accounts.services import RECTIFIABLE_FIELDS, user_rectify
from dsar.executors._common import step
from dsar.models import RectificationItem, RightsRequest


def _matched_users(request: RightsRequest):
    return User.objects.filter(pk__in=request.subjects.values("user_id")).order_by("pk")


def rectification_approve(*, item: RectificationItem, by) -> RectificationItem:
    if item.decision != RectificationItem.Decision.PENDING:
        raise ValidationError("This correction has already been decided.")
    if item.field not in RECTIFIABLE_FIELDS:
        raise ValidationError(f"“{item.field}” cannot be corrected here; reject it with a reason.")
    users = list(_matched_users(item.request))
    if not users:
        raise ValidationError("Match the request to an account before approving a correction.")
    with transaction.atomic():
        for user in users:
            user_rectify(user=user, by=by, **{item.field: item.proposed_value})
        item.decision = RectificationItem.Decision.APPROVED
        item.decided_at = timezone.now()
        item.save(update_fields=["decision", "decided_at"])
        step(
            item.request,
            by,
            "rectification_approve",
            f"Correction of {item.field} approved and applied.",
            visible=True,
            field=item.field,
            users=[u.pk for u in users],
        )
    return item


def rectification_reject(*, item: RectificationItem, reason: str, by) -> RectificationItem:
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
