"""Usage events and rollups are ready to shard by organisation on Citus (docs/scaling.md): their
keys lead with the organisation, and every statement the code sends on them names it, staff
aggregates (listed below) aside.

Each test runs one code path a user or a worker runs, takes every statement it sends at the
driver, and reads each with PostgreSQL's parser: a SELECT, UPDATE or DELETE on a sharded table
must say ``organisation_id = <value>`` (or ``IN (<values>)``) among its conditions, an INSERT
or COPY must write the column.
"""

import datetime
import io
import json

import pytest
from django.db import connection
from django.utils import timezone

from accounts.models import Organisation
from datamap import Subject, registry
from datamap.engines import erase_subject, export_subject, iter_subject_rows
from dsar.executors.package_copy import copy_rows
from retention.models import LegalHold, RetentionPolicy
from retention.services.purge import partitions_reclaim, purge_category
from tests.factories import ClientAdminFactory, OrganisationFactory, UserFactory, api_key_for
from tests.usage.statements import (
    SHARDED_TABLES,
    organisation_unnamed,
    statements_sent,
    touches_sharded,
)
from usage.analytics import task_rows
from usage.buffer import buffer_drain
from usage.days import LONDON
from usage.events import events_write
from usage.models import ReportSubscription, UsageEvent
from usage.organisation_export import organisation_export
from usage.partitions import partitions_ensure
from usage.periods import Period
from usage.selectors import GROUPINGS, usage_aggregates, usage_report
from usage.services import usage_rollup_day, usage_touched_days_rollup
from usage.services.export_files import usage_export_build
from usage.services.exports import usage_export_request
from usage.services.subscriptions import report_delivery_build

pytestmark = [pytest.mark.postgres, pytest.mark.usefixtures("requires_postgres")]

# The only statements that may span organisations, by the function that sends them.
SPANNING_ORGANISATIONS = {
    "usage.selectors.usage_aggregates": "staff: feature adoption across organisations",
    "usage.analytics.task_rows": "staff: tasks per feature across organisations "
    "(given an organisation, it names it: checked with the reports)",
    "usage.services.rollups.usage_touched_days_rollup": "the rollup's read of the touched-day "
    "marks, a small work queue; each re-roll and each deletion of marks names its organisation",
}
TODAY = timezone.localdate()
PAST_DAY = TODAY - datetime.timedelta(days=3)


def assert_each_names_the_organisation(statements, *, may_span=()):
    assert set(may_span) <= set(SPANNING_ORGANISATIONS)
    touching = [s for s in statements if touches_sharded(s)]
    assert touching, "the path sent nothing on the sharded tables: the test lost its point"
    unnamed = [
        (s.issued_by, problems, s.sql[:400])
        for s in touching
        if (problems := organisation_unnamed(s)) and s.issued_by not in may_span
    ]
    assert unnamed == []
    spanning = {s.issued_by for s in touching if organisation_unnamed(s)}
    assert spanning == set(may_span), "an allowance not used: keep the list exact"


def _event(user, day, hour=10, **fields):
    return {
        "occurred_at": datetime.datetime.combine(day, datetime.time(hour), tzinfo=LONDON),
        "organisation_id": user.organisation_id,
        "user_id": user.pk,
        "ip_address": "198.51.100.7",
        "action": "page_view",
        "feature": "reports",
        "duration_ms": 120,
        **fields,
    }


@pytest.fixture
def two_clients():
    """Two organisations, each with a client admin and a member who used the product today
    and on a past day, rolled up."""
    people = {}
    for name in ("north", "south"):
        organisation = OrganisationFactory(name=f"{name.title()} Ltd", slug=name)
        admin = ClientAdminFactory(organisation=organisation)
        member = UserFactory(organisation=organisation)
        events_write(
            _event(person, day, hour)
            for person in (admin, member)
            for day in (PAST_DAY, TODAY)
            for hour in (0, 9, 10)
            if datetime.datetime.combine(day, datetime.time(hour), tzinfo=LONDON) < timezone.now()
        )
        people[name] = (organisation, admin, member)
    for day in (PAST_DAY, TODAY):
        usage_rollup_day(day=day)
    usage_touched_days_rollup()  # the marks the past day's events left
    return people


def test_the_keys_of_every_sharded_table_lead_with_the_organisation(db, requires_postgres):
    """Citus distributes a table only if its primary key and unique constraints hold the
    distribution column: each table's, and each monthly partition's of the events."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT inhrelid::regclass::text FROM pg_inherits "
            "WHERE inhparent = 'usage_usageevent'::regclass"
        )
        partitions = [name for (name,) in cursor.fetchall()]
        assert partitions, "the events table is not partitioned"
        for table in sorted(SHARDED_TABLES) + partitions:
            constraints = connection.introspection.get_constraints(cursor, table)
            keys = {
                name: c["columns"]
                for name, c in constraints.items()
                if c["primary_key"] or c["unique"]
            }
            assert any(constraints[name]["primary_key"] for name in keys), (
                f"{table} has no primary key"
            )
            for name, columns in keys.items():
                assert columns[0] == "organisation_id", (table, name, columns)


def test_ingesting_logging_and_draining_events_name_the_organisation(two_clients, client):
    organisation, _, member = two_clients["north"]
    _, plain = api_key_for(organisation, scopes=["usage:write"])
    now = timezone.now()
    batch = [
        {"event_id": "a", "occurred_at": now.isoformat(), "action": "export", "user_id": member.pk},
        {"event_id": "b", "occurred_at": (now - datetime.timedelta(days=2)).isoformat(),
         "action": "page_view", "user_email": member.email},
    ]  # fmt: skip
    client.force_login(member)
    with statements_sent() as sent:
        for _ in range(2):  # the second time, a retry: its ids are claimed already
            response = client.post(
                "/api/v1/usage/events/",
                json.dumps(batch),
                content_type="application/json",
                HTTP_AUTHORIZATION=f"Api-Key {plain}",
            )
            assert response.status_code == 201
        client.get("/account/")
        buffer_drain()
    assert_each_names_the_organisation(sent)
    assert (
        UsageEvent.objects.filter(organisation=organisation, event_id__in=["a", "b"]).count() == 2
    )


def test_rollups_of_a_day_and_of_touched_days_name_each_organisation(two_clients):
    south, _, member = two_clients["south"]
    events_write([_event(member, PAST_DAY - datetime.timedelta(days=1), feature="late")])
    with statements_sent() as sent:
        usage_rollup_day(day=TODAY)
        usage_rollup_day(day=PAST_DAY)
        assert usage_touched_days_rollup() == 1
    assert_each_names_the_organisation(
        sent, may_span=["usage.services.rollups.usage_touched_days_rollup"]
    )
    report = usage_report(
        organisation=south,
        start=PAST_DAY - datetime.timedelta(days=1),
        end=TODAY,
        group_by="feature",
    )
    assert {row.key for row in report.rows} == {"late", "reports"}


def test_reports_exports_and_deliveries_name_the_organisation(two_clients, client, settings,
                                                              tmp_path):  # fmt: skip
    settings.MEDIA_ROOT = tmp_path / "media"
    organisation, admin, _ = two_clients["north"]
    _, plain = api_key_for(organisation, scopes=["usage:read"])
    subscription = ReportSubscription.objects.create(
        organisation=organisation, cadence="weekly", grouping="user", created_by=admin
    )
    start = PAST_DAY
    with statements_sent() as sent:
        for grouping in GROUPINGS:
            usage_report(organisation=organisation, start=start, end=TODAY, group_by=grouping)
            response = client.get(
                f"/api/v1/usage/report/?start={start}&end={TODAY}&group_by={grouping}&format=csv",
                HTTP_AUTHORIZATION=f"Api-Key {plain}",
            )
            assert response.status_code == 200
        export = usage_export_request(
            organisation=organisation, start=start, end=TODAY, grouping="feature", by=admin
        )
        assert usage_export_build(export=export)
        organisation_export(organisation=organisation, by=admin, channel="console")
        report_delivery_build(subscription=subscription, period=Period(start, TODAY))
        rows = task_rows(start=start, end=TODAY, organisation=organisation)
    assert_each_names_the_organisation(sent)
    assert rows  # the tasks were read (too few people to show figures)


def test_access_and_erasure_of_a_person_name_their_organisation(two_clients):
    _, _, member = two_clients["south"]
    subject = Subject.of(user_ids=[member.pk], emails=[member.email])
    sharded = [e for e in registry.entries() if e.organisation_field]
    assert {e.name for e in sharded} == {
        "usage.events",
        "usage.daily",
        "usage.daily_per_person",
        "usage.task_sessions",
    }
    events = UsageEvent.objects.filter(user=member).count()
    with statements_sent() as sent:
        held = {s.entry.name: len(s.rows) for s in export_subject(subject)}
        for entry in sharded:
            list(iter_subject_rows(entry, subject))
            copy_rows(entry, subject, io.BytesIO(), list(entry.export_fields))
        erase_subject(subject)
    assert_each_names_the_organisation(sent)
    assert held["usage.events"] == events > 0
    assert not UsageEvent.objects.filter(user=member).exists()
    assert UsageEvent.objects.filter(organisation=member.organisation, user=None).count() == events


def test_retention_purges_go_one_organisation_at_a_time(two_clients):
    """GIVEN events of a month wholly past the usage-events period (a monthly partition, one
    person there under a legal hold), events past it in a month not wholly past, and rollups
    past their own period
    WHEN both categories are purged
    THEN every statement names an organisation; the held person's rows stay, no other
    expired row does."""
    north, _, held_member = two_clients["north"]
    _, _, south_member = two_clients["south"]
    long_ago = TODAY - datetime.timedelta(days=100)
    partitions_ensure(start=long_ago, months=1)
    events_write(_event(person, long_ago) for person in (held_member, south_member))
    usage_rollup_day(day=long_ago)
    LegalHold.objects.create(user=held_member, reason="claim", placed_at=timezone.now())
    for category in ("usage_events", "usage_rollups"):
        RetentionPolicy.objects.update_or_create(
            category=category,
            defaults={"basis": "event", "days": (TODAY - PAST_DAY).days - 1, "action": "delete"},
        )
    with statements_sent() as sent:
        purge_category(category="usage_events")
        purge_category(category="usage_rollups")
        partitions_reclaim()
    assert_each_names_the_organisation(sent)
    left = UsageEvent.objects.filter(occurred_at__date__lt=TODAY - datetime.timedelta(days=1))
    assert set(left.values_list("user_id", flat=True)) == {held_member.pk}
    assert Organisation.objects.filter(pk=north.pk).exists()


def test_staff_aggregates_are_the_statements_that_span_organisations(two_clients):
    with statements_sent() as sent:
        usage_aggregates(start=PAST_DAY, end=TODAY)
        task_rows(start=PAST_DAY, end=TODAY)
    assert_each_names_the_organisation(
        sent, may_span=["usage.selectors.usage_aggregates", "usage.analytics.task_rows"]
    )
