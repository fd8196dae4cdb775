"""Group companies, affiliates and business partners an organisation names as entitled to its
usage reports. The DPO records them on the client's written request; ending one stops every
access from then on, and the row stays as the history of who was entitled when."""

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

import audit
from accounts.models import GroupCompany, Organisation
from accounts.selectors import actor_decides

DPO_ONLY = "Only the Data Protection Officer records who may receive a client's reports."


def group_company_add(
    *,
    organisation: Organisation,
    member: Organisation,
    requested_on,
    by,
    relationship: str = GroupCompany.Relationship.GROUP_COMPANY,
) -> GroupCompany:
    if not actor_decides(by):
        raise PermissionDenied(DPO_ONLY)
    entitlement = GroupCompany(
        organisation=organisation,
        member=member,
        relationship=relationship,
        requested_on=requested_on,
        recorded_by=by,
    )
    entitlement.full_clean()
    with transaction.atomic():
        entitlement.save()
        audit.record(
            by,
            "organisation.group_company_added",
            target=organisation,
            details={
                "member_id": member.pk,
                "member": member.name,
                "relationship": relationship,
                "requested_on": requested_on.isoformat(),
            },
        )
    return entitlement


def group_company_end(*, entitlement: GroupCompany, by) -> GroupCompany:
    if not actor_decides(by):
        raise PermissionDenied(DPO_ONLY)
    with transaction.atomic():
        # Conditional, so that two clicks at once end it once and leave one audit entry.
        ended = GroupCompany.objects.filter(pk=entitlement.pk, ended_at__isnull=True).update(
            ended_at=timezone.now(), ended_by=by
        )
        if ended:
            audit.record(
                by,
                "organisation.group_company_ended",
                target=entitlement.organisation,
                details={"member_id": entitlement.member_id, "member": entitlement.member.name},
            )
    entitlement.refresh_from_db(fields=["ended_at", "ended_by"])
    return entitlement
