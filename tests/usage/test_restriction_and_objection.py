"""Usage's points of processing ask may_process: client reports (page, API, CSV, the
organisation's export) follow the usage purpose; the company's aggregates follow analytics.
A restriction stops both; an objection stops exactly the purpose objected to."""

import csv
import datetime
import io
import zipfile

import pytest
from django.utils import timezone

from accounts.models import PurposeObjection
from datamap.purposes import Purpose
from tests.factories import ClientAdminFactory, OrganisationFactory, UserFactory, api_key_for
from usage.models import DailyUserUsage, UsageEvent
from usage.selectors import usage_aggregates, usage_report
from usage.services import usage_rollup_day

pytestmark = pytest.mark.django_db

DAY = datetime.date(2026, 11, 2)


def use(org, user, events=1):
    moment = timezone.make_aware(datetime.datetime.combine(DAY, datetime.time(9)))
    UsageEvent.objects.bulk_create(
        UsageEvent(occurred_at=moment, organisation=org, user=user, action="x", feature="reports")
        for _ in range(events)
    )


@pytest.fixture
def acme():
    """GIVEN Acme with six people who used reports on one day: one restricted, one objecting
    to client reports, one objecting to analytics."""
    org = OrganisationFactory(name="Acme")
    people = {
        name: UserFactory(organisation=org, full_name=name)
        for name in ("Plain One", "Plain Two", "Plain Three", "Rita", "Uma", "Ana")
    }
    people["Rita"].processing_restricted_at = timezone.now()
    people["Rita"].save()
    PurposeObjection.objects.create(user=people["Uma"], purpose=Purpose.USAGE)
    PurposeObjection.objects.create(user=people["Ana"], purpose=Purpose.ANALYTICS)
    for user in people.values():
        use(org, user, events=2)
    usage_rollup_day(day=DAY)
    return org, people


def test_client_reports_leave_out_the_restricted_and_those_objecting_to_them(acme):
    org, _people = acme
    report = usage_report(organisation=org, start=DAY, end=DAY, group_by="user")
    assert sorted(row.label for row in report.rows) == [
        "Ana",  # objected to analytics, not to her employer's reports
        "Plain One",
        "Plain Three",
        "Plain Two",
    ]
    by_feature = usage_report(organisation=org, start=DAY, end=DAY, group_by="feature")
    assert [(row.events, row.users) for row in by_feature.rows] == [(8, 4)]


def test_the_report_api_and_its_csv_leave_them_out_too(client, acme):
    org, _people = acme
    _, plain = api_key_for(org, scopes=["usage:read"])
    auth = {"HTTP_AUTHORIZATION": f"Api-Key {plain}"}
    query = f"?start={DAY}&end={DAY}&group_by=user"
    body = client.get(f"/api/v1/usage/report/{query}", **auth).json()
    names = {row["label"].split(" <")[0] for row in body["rows"]}
    assert "Ana" in names
    assert not {"Rita", "Uma"} & names
    as_csv = b"".join(
        client.get(f"/api/v1/usage/report/{query}&format=csv", **auth).streaming_content
    ).decode()
    assert "Ana" in as_csv
    assert "Rita" not in as_csv and "Uma" not in as_csv


def test_the_organisation_export_leaves_them_out(verified_client, acme):
    org, _people = acme
    admin = ClientAdminFactory(organisation=org)
    response = verified_client(admin).post("/console/usage/organisation-export/")
    with zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content))) as archive:
        usage = list(csv.reader(io.StringIO(archive.read("usage-totals.csv").decode())))
    named = {cell for row in usage for cell in row}
    assert "Ana" in named
    assert not {"Rita", "Uma"} & named


def test_the_aggregates_leave_out_the_restricted_and_those_objecting_to_analytics(acme):
    org, _people = acme
    # Five people make a cell that is shown (four are suppressed).
    extra = UserFactory(organisation=org)
    DailyUserUsage.objects.filter(user=extra).delete()
    use(org, extra, events=2)
    usage_rollup_day(day=DAY)
    rows = {row.feature: row for row in usage_aggregates(start=DAY, end=DAY)}
    # The three plain people, Uma (who objected to client reports only) and the extra
    # person; not Rita or Ana.
    assert (rows["reports"].users, rows["reports"].events) == (5, 10)
