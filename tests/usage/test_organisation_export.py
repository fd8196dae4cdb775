"""The organisation's data export: one ZIP with users.csv, roles.csv and usage-totals.csv,
for its own client admin (console) or staff (back office), recorded as one disclosure to the
client; never another organisation's, and not once the organisation is closed."""

import csv
import datetime
import io
import zipfile

import pytest
from django.test import Client
from django.utils import timezone

from accounts.models import User
from accounts.services.organisations import organisation_close
from audit.models import AuditEntry
from records.models import Disclosure
from tests.factories import (
    ClientAdminFactory,
    DpoFactory,
    OrganisationFactory,
    SupportFactory,
    UserFactory,
)
from usage.models import DailyUserUsage

pytestmark = pytest.mark.django_db

CONSOLE_EXPORT = "/console/usage/organisation-export/"


def backoffice_export(organisation) -> str:
    return f"/backoffice/organisations/{organisation.pk}/export/"


def rollup(user, day, events, minutes):
    DailyUserUsage.objects.create(
        date=day,
        organisation=user.organisation,
        user=user,
        event_count=events,
        total_duration_ms=minutes * 60000,
    )


def files_of(response) -> dict[str, list[list[str]]]:
    content = b"".join(response.streaming_content)
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return {
            name: list(csv.reader(io.StringIO(archive.read(name).decode())))
            for name in archive.namelist()
        }


@pytest.fixture
def organisation():
    return OrganisationFactory(name="Acme Ltd", slug="acme")


@pytest.fixture
def admin(organisation):
    return ClientAdminFactory(
        organisation=organisation, full_name="Ada Admin", email="ada@acme.example"
    )


@pytest.fixture
def people(organisation, admin):
    bob = UserFactory(organisation=organisation, full_name="Bob Member", email="bob@acme.example")
    eve = UserFactory(
        organisation=organisation,
        full_name="=HYPERLINK(evil)",
        email="eve@acme.example",
        status=User.Status.SUSPENDED,
    )
    restricted = UserFactory(
        organisation=organisation,
        full_name="Rita Restricted",
        email="rita@acme.example",
        processing_restricted_at=timezone.now(),
    )
    rollup(bob, datetime.date(2026, 10, 3), 10, 30)
    rollup(bob, datetime.date(2026, 10, 20), 5, 15)
    rollup(bob, datetime.date(2026, 11, 1), 2, 3)
    rollup(admin, datetime.date(2026, 11, 2), 1, 1)
    rollup(restricted, datetime.date(2026, 11, 2), 9, 9)
    stranger = UserFactory(email="stranger@other.example")
    rollup(stranger, datetime.date(2026, 11, 2), 99, 99)
    return {"bob": bob, "eve": eve, "restricted": restricted, "stranger": stranger}


def test_a_client_admin_downloads_one_zip_of_users_roles_and_monthly_usage(
    verified_client, admin, people
):
    response = verified_client(admin).post(CONSOLE_EXPORT)

    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert 'attachment; filename="acme-export-' in response["Content-Disposition"]
    files = files_of(response)
    assert set(files) == {"users.csv", "roles.csv", "usage-totals.csv"}

    users = files["users.csv"]
    assert users[0] == ["name", "email", "role", "status", "joined", "last_login"]
    emails = [row[1] for row in users[1:]]
    assert sorted(emails) == [
        "ada@acme.example",
        "bob@acme.example",
        "eve@acme.example",
        "rita@acme.example",
    ]
    eve = next(row for row in users if row[1] == "eve@acme.example")
    assert eve[0] == "'=HYPERLINK(evil)"  # a formula is neutralised
    assert eve[2:4] == ["Member", "Suspended"]

    assert files["roles.csv"] == [["role", "users"], ["Client admin", "1"], ["Member", "3"]]

    # Per person per month from the rollups; the restricted person is left out, as from
    # every usage report, and nobody of another organisation is in it.
    assert files["usage-totals.csv"] == [
        ["month", "name", "email", "events", "minutes"],
        ["2026-10", "Bob Member", "bob@acme.example", "15", "45.0"],
        ["2026-11", "Ada Admin", "ada@acme.example", "1", "1.0"],
        ["2026-11", "Bob Member", "bob@acme.example", "2", "3.0"],
    ]


def test_each_export_is_one_disclosure_to_the_client(verified_client, admin, people):
    verified_client(admin).post(CONSOLE_EXPORT)

    disclosure = Disclosure.objects.get()
    assert disclosure.recipient_type == Disclosure.RecipientType.CLIENT
    assert disclosure.organisation == admin.organisation
    assert disclosure.recipient == "Acme Ltd"
    assert disclosure.categories == ["contact", "usage"]
    assert "Organisation data export" in disclosure.description
    assert disclosure.disclosed_by == admin
    assert disclosure.subject_count == 4
    subjects = set(disclosure.subjects.values_list("user_id", flat=True))
    assert people["stranger"].pk not in subjects
    assert AuditEntry.objects.filter(action="disclosure.record").count() == 1


def test_staff_download_it_for_a_given_organisation(verified_client, admin, people):
    for staff in (SupportFactory(), DpoFactory()):
        response = verified_client(staff, client=Client()).post(
            backoffice_export(admin.organisation)
        )
        assert response.status_code == 200
        assert "users.csv" in files_of(response)
    assert Disclosure.objects.filter(organisation=admin.organisation).count() == 2


def test_a_client_admin_never_gets_another_organisations_export(verified_client, admin, people):
    other = ClientAdminFactory(email="other.admin@other.example")
    UserFactory(organisation=other.organisation, email="secret@other.example")

    # The console exports the caller's own organisation whatever is posted.
    response = verified_client(admin).post(CONSOLE_EXPORT, {"organisation": other.organisation.pk})
    content = b"".join(response.streaming_content)
    assert b"secret@other.example" not in content
    # The back office's export is staff only.
    refused = verified_client(admin).post(backoffice_export(other.organisation))
    assert refused.status_code == 403
    assert not Disclosure.objects.filter(organisation=other.organisation).exists()


def test_members_and_anonymous_visitors_get_no_export(verified_client, people, client):
    assert client.post(CONSOLE_EXPORT).status_code == 302
    assert verified_client(people["bob"]).post(CONSOLE_EXPORT).status_code == 403
    assert not Disclosure.objects.exists()


def test_the_export_is_a_post(verified_client, admin):
    assert verified_client(admin).get(CONSOLE_EXPORT).status_code == 405


def test_a_closed_organisation_has_no_export_and_staff_are_told_why(verified_client, admin):
    dpo = DpoFactory()
    organisation_close(
        organisation=admin.organisation,
        reason="Contract ended",
        effective_on=timezone.localdate(),
        by=dpo,
    )
    response = verified_client(dpo).post(backoffice_export(admin.organisation), follow=True)
    assert response.status_code == 200
    assert "Acme Ltd is closed: its data export is offered before closure" in (
        response.content.decode().replace("&#x27;", "'")
    )
    assert not Disclosure.objects.exists()
