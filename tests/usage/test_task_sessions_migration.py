"""Migrating to task sessions keeps every row and derives the tasks of the days still held."""

import datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from tests.factories import OrganisationFactory, UserFactory
from usage.days import LONDON
from usage.models import DailyUsage, TaskSession, UsageDayTouched, UsageEvent
from usage.services import usage_rollup_day, usage_touched_days_rollup

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("requires_postgres"),
]

BEFORE_TASKS = ("usage", "0007_scheduled_reports_and_exports")


def test_migrating_marks_the_whole_days_held_so_the_next_rollup_derives_their_tasks():
    """GIVEN a database before task sessions, with events and rollups on three days, the first
    of them the oldest day left (partly purged, it may be)
    WHEN it migrates and the scheduled rollup re-rolls the touched days
    THEN the rollups are as they were, and the two later days have their tasks."""
    ann = UserFactory(organisation=OrganisationFactory())
    today = timezone.localdate()
    days = [today - datetime.timedelta(days=n) for n in (3, 2, 1)]
    for day in days:
        UsageEvent.objects.create(
            occurred_at=datetime.datetime.combine(day, datetime.time(9), tzinfo=LONDON),
            organisation_id=ann.organisation_id,
            user=ann,
            action="page_view",
            feature="reports",
        )
        usage_rollup_day(day=day)
    executor = MigrationExecutor(connection)
    executor.migrate([BEFORE_TASKS])
    rollups = sorted(DailyUsage.objects.values_list("date", "event_count"))

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())

    assert sorted(UsageDayTouched.objects.values_list("day", flat=True)) == days[1:]
    assert usage_touched_days_rollup() == 2
    assert sorted(DailyUsage.objects.values_list("date", "event_count")) == rollups
    assert sorted(TaskSession.objects.values_list("date", flat=True)) == days[1:]
