import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from accounts.selectors import (
    group_companies_ended_of,
    report_entitlements_of,
    report_recipients,
)
from accounts.services.group_companies import group_company_add, group_company_end
from audit.models import AuditEntry
from tests.factories import (
    ClientAdminFactory,
    DpoFactory,
    OrganisationFactory,
    SupportFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

REQUESTED = datetime.date(2026, 11, 30)


def test_report_recipients_are_the_client_admins_of_the_organisation_and_its_group_companies():
    parent, sister, stranger = OrganisationFactory.create_batch(3)
    dpo = DpoFactory()
    own_admin = ClientAdminFactory(organisation=parent)
    sister_admin = ClientAdminFactory(organisation=sister)
    UserFactory(organisation=parent)  # a member receives nothing
    ClientAdminFactory(organisation=stranger)
    ClientAdminFactory(organisation=parent, status="suspended")

    assert set(report_recipients(parent)) == {own_admin}

    entitlement = group_company_add(
        organisation=parent, member=sister, requested_on=REQUESTED, by=dpo
    )
    assert set(report_recipients(parent)) == {own_admin, sister_admin}
    assert set(report_recipients(sister)) == {sister_admin}  # the entitlement is one way
    assert AuditEntry.objects.filter(action="organisation.group_company_added").count() == 1

    group_company_end(entitlement=entitlement, by=dpo)
    assert set(report_recipients(parent)) == {own_admin}


def test_only_the_dpo_records_a_group_company_and_never_the_organisation_itself():
    parent, sister = OrganisationFactory.create_batch(2)
    dpo = DpoFactory()
    for someone in (ClientAdminFactory(organisation=parent), SupportFactory()):
        with pytest.raises(PermissionDenied):
            group_company_add(
                organisation=parent, member=sister, requested_on=REQUESTED, by=someone
            )
    with pytest.raises(ValidationError, match="its own group company"):
        group_company_add(organisation=parent, member=parent, requested_on=REQUESTED, by=dpo)
    group_company_add(organisation=parent, member=sister, requested_on=REQUESTED, by=dpo)
    with pytest.raises(ValidationError, match="already named"):
        group_company_add(organisation=parent, member=sister, requested_on=REQUESTED, by=dpo)


def test_only_the_dpo_ends_one_and_the_ended_one_stays_with_who_ended_it():
    parent = OrganisationFactory(name="Acme Ltd")
    partner = OrganisationFactory(name="Partner plc")
    dpo = DpoFactory()
    entitlement = group_company_add(
        organisation=parent,
        member=partner,
        relationship="business_partner",
        requested_on=REQUESTED,
        by=dpo,
    )
    assert entitlement.recipient_name == "Partner plc (business partner of Acme Ltd)"
    with pytest.raises(PermissionDenied):
        group_company_end(entitlement=entitlement, by=SupportFactory())
    assert list(report_entitlements_of(partner.pk)) == [entitlement]

    group_company_end(entitlement=entitlement, by=dpo)

    assert list(report_entitlements_of(partner.pk)) == []
    assert list(group_companies_ended_of(parent)) == [entitlement]
    assert entitlement.ended_by == dpo
