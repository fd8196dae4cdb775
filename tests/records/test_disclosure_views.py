"""A client admin who opens the same usage report again the same day makes one disclosure seen
more than once, not a new line on every person's page: one disclosure per report (organisation,
period, grouping), per admin, per UK day, with its count of views."""

import datetime

import pytest
import time_machine
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.recorder import MigrationRecorder
from django.urls import reverse

from audit.models import AuditEntry
from records.models import Disclosure
from tests.factories import (
    ClientAdminFactory,
    DpoFactory,
    OrganisationFactory,
    UserFactory,
    api_key_for,
)
from tests.usage.test_reports import rollup

pytestmark = pytest.mark.django_db

D1, D2 = datetime.date(2026, 11, 2), datetime.date(2026, 11, 3)
REPORT = f"/console/usage/?start={D1}&end={D2}&group_by=user"
MORNING = datetime.datetime(2026, 12, 2, 9, 0, tzinfo=datetime.UTC)
EVENING = datetime.datetime(2026, 12, 2, 23, 30, tzinfo=datetime.UTC)  # still 2 Dec in the UK
NEXT_DAY = datetime.datetime(2026, 12, 3, 0, 30, tzinfo=datetime.UTC)


@pytest.fixture
def acme():
    org = OrganisationFactory(name="Acme")
    ann = UserFactory(organisation=org, full_name="Ann Able")
    bob = UserFactory(organisation=org, full_name="Bob Baker")
    rollup(org, ann, D1, "reports", 3, 60_000)
    rollup(org, bob, D2, "reports", 1, 0)
    return org, ann, bob


def view(client, url=REPORT, at=MORNING):
    with time_machine.travel(at, tick=False):
        assert client.get(url).status_code == 200


def test_two_views_the_same_day_are_one_disclosure_seen_twice(verified_client, acme):
    org, ann, bob = acme
    admin = ClientAdminFactory(organisation=org)
    client = verified_client(admin)
    view(client)
    view(client, REPORT + "&sort=name", at=EVENING)  # re-sorted: the same report

    (disclosure,) = Disclosure.objects.all()
    assert disclosure.views == 2
    assert disclosure.disclosed_by == admin
    assert set(disclosure.subjects.values_list("user_id", flat=True)) == {ann.pk, bob.pk}
    assert disclosure.occurred_at == MORNING  # when the data first went
    assert AuditEntry.objects.filter(action="disclosure.record").count() == 1
    assert AuditEntry.objects.get(action="disclosure.repeat").details == {"views": 2}


def test_the_next_uk_day_is_a_new_disclosure(verified_client, acme):
    org, _, _ = acme
    client = verified_client(ClientAdminFactory(organisation=org))
    view(client)
    view(client, at=NEXT_DAY)
    assert sorted(Disclosure.objects.values_list("views", flat=True)) == [1, 1]
    assert Disclosure.objects.count() == 2


def test_another_admin_or_another_report_is_another_disclosure(verified_client, client, acme):
    org, _, _ = acme
    first = verified_client(ClientAdminFactory(organisation=org))
    view(first)
    view(first)
    second = verified_client(ClientAdminFactory(organisation=org), client=type(client)())
    view(second)
    view(first, f"/console/usage/?start={D1}&end={D1}&group_by=user")  # another period
    counts = sorted((d.disclosed_by_id, d.views, d.description) for d in Disclosure.objects.all())
    assert len(counts) == 3
    assert sorted(views for _, views, _ in counts) == [1, 1, 2]


def test_a_report_by_feature_on_the_page_names_no_one_and_discloses_nothing(verified_client, acme):
    org, _, _ = acme
    view(verified_client(ClientAdminFactory(organisation=org)), REPORT.replace("user", "feature"))
    assert not Disclosure.objects.exists()


def test_people_and_the_dpo_see_the_count_of_views(verified_client, client, acme):
    org, ann, _ = acme
    admin_client = verified_client(ClientAdminFactory(organisation=org), client=type(client)())
    for _ in range(3):
        view(admin_client)

    with time_machine.travel(MORNING, tick=False):
        page = verified_client(ann).get(reverse("account:home")).content.decode()
    assert "Times seen that day" in page
    (row,) = [row for row in page.split("<tr>") if "Usage report 02 Nov 2026" in row]
    assert row.split("</tr>")[0].endswith("<td>3</td>")

    dpo = verified_client(DpoFactory(), client=type(client)())
    register = dpo.get(reverse("disclosures:list")).content.decode()
    assert '<th scope="col">Views</th>' in register
    (row,) = [row for row in register.split("<tr>") if "Usage report 02 Nov 2026" in row]
    assert "<td>3</td>" in row
    csv = b"".join(dpo.get(reverse("disclosures:csv")).streaming_content).decode()
    assert csv.splitlines()[0].endswith("People concerned,Times seen that day")
    assert csv.splitlines()[1].endswith(",2,3")


def test_csv_downloads_and_api_pulls_stay_one_disclosure_each(client, acme):
    """A file or an API answer is a copy that leaves each time: never folded into one."""
    org, _, _ = acme
    _, plain = api_key_for(org, scopes=["usage:read"])
    for _ in range(2):
        response = client.get(
            f"/api/v1/usage/report/?start={D1}&end={D2}", HTTP_AUTHORIZATION=f"Api-Key {plain}"
        )
        assert response.status_code == 200
    assert list(Disclosure.objects.values_list("views", flat=True)) == [1, 1]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("requires_postgres")
def test_the_migration_keeps_every_disclosure_each_seen_once():
    before, after = (
        ("records", "0002_seed_processing_activities"),
        ("records", "0003_disclosure_views"),
    )
    executor = MigrationExecutor(connection)
    executor.migrate([before])
    OldDisclosure = executor.loader.project_state([before]).apps.get_model("records", "Disclosure")
    for n in range(3):
        OldDisclosure.objects.create(
            occurred_at=datetime.datetime(2026, 11, 1 + n, 9, tzinfo=datetime.UTC),
            recipient_type="client",
            recipient="Acme",
            legal_basis="Legitimate interests",
            categories=["usage"],
            description=f"Usage report {n}",
            disclosed_by_label="admin@acme.test",
            subject_count=n,
        )

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())

    assert after in MigrationRecorder(connection).applied_migrations()
    assert sorted(Disclosure.objects.values_list("description", "subject_count", "views")) == [
        ("Usage report 0", 0, 1),
        ("Usage report 1", 1, 1),
        ("Usage report 2", 2, 1),
    ]
    assert set(Disclosure.objects.values_list("repeat_key", flat=True)) == {""}
