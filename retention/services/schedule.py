"""Writes: the schedule, legal holds, dry runs on request. Every change is audited."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

import audit
from common.roles import Role
from retention.models import LegalHold, RetentionPolicy
from retention.tasks import dry_run_retention_category, purge_retention_category


def _require_dpo(by) -> None:
    if getattr(by, "role", None) != Role.DPO:
        raise PermissionDenied("Only the DPO sets retention and legal holds.")


def retention_policy_update(
    *, policy: RetentionPolicy, basis: str, days: int, action: str, rationale: str, by
) -> RetentionPolicy:
    _require_dpo(by)
    before = {"basis": policy.basis, "days": policy.days, "action": policy.action}
    policy.basis, policy.days, policy.action = basis, days, action
    policy.rationale = rationale
    policy.full_clean()
    with transaction.atomic():
        policy.save()
        audit.record(
            by,
            "retention.policy_update",
            target=policy,
            details={
                "category": policy.category,
                "before": before,
                "after": {"basis": basis, "days": days, "action": action},
            },
        )
    return policy


def legal_hold_place(*, reason: str, by, user=None, organisation=None) -> LegalHold:
    _require_dpo(by)
    if (user is None) == (organisation is None):
        raise ValidationError("Place a legal hold on one user or on one organisation.")
    hold = LegalHold(
        user=user,
        organisation=organisation,
        reason=reason.strip(),
        placed_by=by,
        placed_at=timezone.now(),
    )
    hold.full_clean()
    with transaction.atomic():
        hold.save()
        audit.record(
            by,
            "retention.legal_hold_place",
            target=hold,
            details={"user": user and user.pk, "organisation": organisation and organisation.pk},
        )
    return hold


def legal_hold_release(*, hold: LegalHold, by) -> LegalHold:
    """Release a hold; releasing one already released changes nothing."""
    _require_dpo(by)
    with transaction.atomic():
        updated = LegalHold.objects.filter(pk=hold.pk, released_at__isnull=True).update(
            released_at=timezone.now(), released_by=by
        )
        hold.refresh_from_db()
        if updated:
            audit.record(by, "retention.legal_hold_release", target=hold)
    return hold


def dry_runs_request(*, by) -> list[str]:
    """Enqueue a dry run of every category with a policy, after commit."""
    _require_dpo(by)
    categories = list(RetentionPolicy.objects.values_list("category", flat=True))
    audit.record(by, "retention.dry_run_request", details={"categories": categories})
    for category in categories:
        dry_run_retention_category.delay_on_commit(category, "back office")
    return categories


def purge_request(*, category: str, by) -> None:
    """Run one category's purge now (after commit), as the nightly task would."""
    _require_dpo(by)
    audit.record(by, "retention.purge_request", details={"category": category})
    purge_retention_category.delay_on_commit(category)
