"""Group companies an organisation names as entitled to its usage reports. Staff record them
on the client's written request; ending one stops future deliveries, history stays."""

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

import audit
from accounts.models import GroupCompany, Organisation
from accounts.selectors import actor_is_staff


def group_company_add(*, organisation: Organisation, member: Organisation, requested_on, by):
    if not actor_is_staff(by):
        raise PermissionDenied("Only staff record group companies.")
    entitlement = GroupCompany(
        organisation=organisation, member=member, requested_on=requested_on, recorded_by=by
    )
    entitlement.full_clean()
    with transaction.atomic():
        entitlement.save()
        audit.record(
            by,
            "organisation.group_company_added",
            target=organisation,
            details={"member_id": member.pk, "requested_on": requested_on.isoformat()},
        )
    return entitlement


def group_company_end(*, entitlement: GroupCompany, by) -> GroupCompany:
    if not actor_is_staff(by):
        raise PermissionDenied("Only staff record group companies.")
    if entitlement.ended_at is not None:
        return entitlement
    with transaction.atomic():
        entitlement.ended_at = timezone.now()
        entitlement.save(update_fields=["ended_at"])
        audit.record(
            by,
            "organisation.group_company_ended",
            target=entitlement.organisation,
            details={"member_id": entitlement.member_id},
        )
    return entitlement
