"""Migrating to keys that lead with the organisation (usage 0009) keeps every row, and back."""

import datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from tests.factories import OrganisationFactory, UserFactory
from tests.usage.statements import SHARDED_MODELS
from usage.days import LONDON
from usage.events import events_write
from usage.models import DailyFeatureUsage, DailyUsage, DailyUserUsage, TaskSession, UsageDayTouched
from usage.services import usage_rollup_day
from usage.services.ingest import usage_events_ingest

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("requires_postgres"),
]

BEFORE = ("usage", "0008_task_sessions")
AFTER = ("usage", "0009_organisation_in_keys")


def _rows() -> dict[str, list[tuple]]:
    return {
        model.__name__: sorted(model.objects.order_by().values_list(), key=repr)
        for model in SHARDED_MODELS
    }


def _primary_key(table: str) -> list[str]:
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, table)
    return next(c["columns"] for c in constraints.values() if c["primary_key"])


def _migrate(target=None) -> None:
    """To ``target``, or to the latest of every app."""
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate([target] if target else executor.loader.graph.leaf_nodes())


def test_every_row_of_the_previous_release_stays_through_the_new_keys_and_back():
    """GIVEN a database of the previous release holding events (two days, two organisations),
    ingested event ids, rollups, task sessions and touched-day marks
    WHEN it migrates to keys that lead with the organisation, and back again
    THEN every row of every table is as it was, and the keys are the new ones, then the old."""
    _migrate(BEFORE)
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    for name in ("North", "South"):
        person = UserFactory(organisation=OrganisationFactory(name=name))
        usage_events_ingest(
            organisation=person.organisation,
            items=[{"event_id": f"{name}-1", "occurred_at": timezone.now().isoformat(),
                    "action": "page_view", "user_id": person.pk}],
        )  # fmt: skip
        events_write(
            {
                "occurred_at": datetime.datetime.combine(yesterday, time, tzinfo=LONDON),
                "organisation_id": person.organisation_id,
                "user_id": person.pk,
                "action": "page_view",
                "feature": "reports",
                "duration_ms": 60,
            }
            for time in (datetime.time(9), datetime.time(9, 5))
        )
        # A late event's mark, as a write leaves it until the re-roll it queued has run.
        UsageDayTouched.objects.create(organisation=person.organisation, day=yesterday)
    usage_rollup_day(day=yesterday)
    before = _rows()
    assert all(before.values()), {name: len(rows) for name, rows in before.items()}
    assert _primary_key("usage_usageevent") == ["id", "occurred_at"]

    _migrate(AFTER)
    assert _rows() == before
    assert _primary_key("usage_usageevent") == ["organisation_id", "occurred_at", "id"]
    for model in (DailyUsage, DailyUserUsage, DailyFeatureUsage, TaskSession):
        assert _primary_key(model._meta.db_table) == ["organisation_id", "date", "id"]
    assert _primary_key("usage_usagedaytouched") == ["organisation_id", "id"]

    _migrate(BEFORE)
    assert _rows() == before
    assert _primary_key("usage_dailyusage") == ["id"]
    _migrate()
