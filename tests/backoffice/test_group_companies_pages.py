"""The back office records, on a client's written request, the group companies, affiliates
and business partners entitled to its usage reports: the DPO adds and ends them, support only
reads them, every change is audited and an ended one stays in the history."""

import datetime
import re

import pytest
from django.test import Client
from django.utils import timezone

from accounts.models import GroupCompany
from audit.models import AuditEntry
from tests.factories import DpoFactory, OrganisationFactory, SupportFactory

pytestmark = pytest.mark.django_db


def url(organisation, step: str = "") -> str:
    return f"/backoffice/organisations/{organisation.pk}/{step + '/' if step else ''}"


def text(response) -> str:
    html = response.content.decode().replace("&#x27;", "'")
    return re.sub(r">\s+<", "><", html)


@pytest.fixture
def dpo(verified_client):
    user = DpoFactory(full_name="Priya Shah")
    return verified_client(user, client=Client()), user


@pytest.fixture
def support(verified_client):
    user = SupportFactory()
    return verified_client(user, client=Client()), user


@pytest.fixture
def acme():
    return OrganisationFactory(name="Acme Ltd")


@pytest.fixture
def sister():
    return OrganisationFactory(name="Acme Sister Ltd")


def test_the_dpo_records_an_affiliate_with_the_request_date_and_ends_it_into_the_history(
    dpo, acme, sister
):
    client, user = dpo
    response = client.post(
        url(acme, "group-companies/new"),
        {"member": sister.pk, "relationship": "affiliate", "requested_on": "2026-01-05"},
        follow=True,
    )
    assert "Acme Sister Ltd, affiliate of Acme Ltd, may now see Acme Ltd's usage reports" in text(
        response
    )
    entitlement = GroupCompany.objects.get(organisation=acme, member=sister)
    assert entitlement.relationship == GroupCompany.Relationship.AFFILIATE
    assert entitlement.requested_on == datetime.date(2026, 1, 5)
    assert entitlement.recorded_by == user
    added = AuditEntry.objects.get(action="organisation.group_company_added")
    assert (added.actor, added.target_id) == (user, str(acme.pk))
    assert added.details["relationship"] == "affiliate"

    page = text(client.get(url(acme)))
    assert "<td>Affiliate</td><td>5 Jan 2026</td>" in page
    assert "by Priya Shah" in page
    # The affiliate's own page says whose reports its admins may see.
    assert "Acme Ltd</a>, as its affiliate" in text(client.get(url(sister)))

    client.post(url(acme, f"group-companies/{entitlement.pk}/end"))
    entitlement.refresh_from_db()
    assert entitlement.ended_at is not None and entitlement.ended_by == user
    assert AuditEntry.objects.filter(action="organisation.group_company_ended").count() == 1
    page = text(client.get(url(acme)))
    assert "Ended: no longer entitled" in page
    assert "Acme Sister Ltd" in page

    # Ending it again changes nothing and audits nothing more.
    client.post(url(acme, f"group-companies/{entitlement.pk}/end"))
    assert AuditEntry.objects.filter(action="organisation.group_company_ended").count() == 1
    # Named again later, it is a new entitlement beside the ended one.
    client.post(
        url(acme, "group-companies/new"),
        {"member": sister.pk, "relationship": "group_company", "requested_on": "2026-02-01"},
    )
    assert GroupCompany.objects.filter(organisation=acme, member=sister).count() == 2


def test_bad_input_is_a_form_error(dpo, acme, sister):
    client, _ = dpo
    future = (timezone.localdate() + datetime.timedelta(days=3)).isoformat()
    refused = client.post(
        url(acme, "group-companies/new"),
        {"member": sister.pk, "relationship": "affiliate", "requested_on": future},
    )
    assert refused.status_code == 400
    assert "cannot be dated in the future" in text(refused)
    itself = client.post(
        url(acme, "group-companies/new"),
        {"member": acme.pk, "relationship": "affiliate", "requested_on": "2026-01-05"},
    )
    assert itself.status_code == 400  # not offered: not a valid choice
    unknown = client.post(
        url(acme, "group-companies/new"),
        {"member": sister.pk, "relationship": "cousin", "requested_on": "2026-01-05"},
    )
    assert unknown.status_code == 400
    assert not GroupCompany.objects.exists()


def test_support_reads_the_group_companies_but_may_not_add_or_end_one(support, acme, sister):
    client, _ = support
    entitlement = GroupCompany.objects.create(
        organisation=acme, member=sister, requested_on=datetime.date(2026, 1, 5)
    )
    page = text(client.get(url(acme)))
    assert "Acme Sister Ltd" in page and "<td>Group company</td>" in page
    assert "The Data Protection Officer records and ends them." in page
    assert "group-companies/new" not in page and "/end/" not in page

    assert client.get(url(acme, "group-companies/new")).status_code == 403
    assert (
        client.post(
            url(acme, "group-companies/new"),
            {"member": sister.pk, "relationship": "affiliate", "requested_on": "2026-01-05"},
        ).status_code
        == 403
    )
    assert client.post(url(acme, f"group-companies/{entitlement.pk}/end")).status_code == 403
    entitlement.refresh_from_db()
    assert entitlement.ended_at is None
    assert GroupCompany.objects.count() == 1
    assert not AuditEntry.objects.filter(action__startswith="organisation.group_company").exists()


def test_an_entitlement_of_another_organisation_cannot_be_ended_through_this_one(dpo, acme, sister):
    client, _ = dpo
    other = OrganisationFactory()
    entitlement = GroupCompany.objects.create(
        organisation=other, member=sister, requested_on=datetime.date(2026, 1, 5)
    )
    assert client.post(url(acme, f"group-companies/{entitlement.pk}/end")).status_code == 404
    entitlement.refresh_from_db()
    assert entitlement.ended_at is None
