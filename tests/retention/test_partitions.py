"""On PostgreSQL, whole expired months of usage events go by detaching their partitions, later
dropped with their exact counts; the partly expired month and held rows are left to the batched
delete."""

import datetime

import pytest
import time_machine
from django.db import connection

from retention.models import RetentionPolicy
from retention.services import schedule
from retention.services.purge import partitions_reclaim, purge_category
from retention.tasks import purge_retention_category
from tests.factories import DpoFactory, UserFactory
from usage import partitions
from usage.models import UsageEvent

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]

NOW = datetime.datetime(2026, 6, 15, 12, 0, tzinfo=datetime.UTC)


def test_whole_expired_months_are_dropped_and_the_partial_month_batch_deleted(
    requires_postgres, settings
):
    settings.RETENTION_BATCH_SIZE = 2
    RetentionPolicy.objects.filter(category="usage_events").update(days=60)
    # cutoff 2026-04-16 12:00: January to March drop whole; April is partly expired.
    partitions.partitions_ensure(start=datetime.date(2026, 1, 1), months=6)
    user = UserFactory()
    held = UserFactory()
    schedule.legal_hold_place(user=held, reason="Claim", by=DpoFactory())

    def add(who, day, hour=9):
        UsageEvent.objects.create(
            occurred_at=datetime.datetime(2026, *day, hour, tzinfo=datetime.UTC),
            organisation=who.organisation,
            user=who,
            action="view",
        )

    for month in (1, 2, 3):
        for day in (2, 20):
            add(user, (month, day))
    add(held, (2, 5))  # keeps February's partition
    add(user, (4, 1))  # expired, in the partial month
    add(user, (4, 30))  # fresh
    add(user, (6, 1))  # fresh

    with time_machine.travel(NOW, tick=False):
        run = purge_category(category="usage_events")

    left = partitions.existing_partitions()
    assert partitions.partition_name(datetime.date(2026, 1, 1)) not in left
    assert partitions.partition_name(datetime.date(2026, 3, 1)) not in left
    assert partitions.partition_name(datetime.date(2026, 2, 1)) in left
    assert partitions.partition_name(datetime.date(2026, 4, 1)) in left
    remaining = sorted(
        ((e.user_id, e.occurred_at.date().isoformat()) for e in UsageEvent.objects.all()),
        key=lambda pair: pair[1],
    )
    assert remaining == [
        (held.pk, "2026-02-05"),
        (user.pk, "2026-04-30"),
        (user.pk, "2026-06-01"),
    ]
    # The detached months' rows are out of the table now; the run counts them once dropped.
    assert run.counts == {"usage.events": {"deleted": 3}}
    assert _detached_tables() == [
        f"usage_purged_r{run.pk}_y2026m01",
        f"usage_purged_r{run.pk}_y2026m03",
    ]

    assert partitions_reclaim() == 4
    run.refresh_from_db()
    assert run.counts == {"usage.events": {"deleted": 7}}
    assert _detached_tables() == []
    assert partitions_reclaim() == 0  # nothing left to drop, nothing counted twice
    run.refresh_from_db()
    assert run.total_deleted == 7


def _detached_tables() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relname FROM pg_class WHERE relname LIKE 'usage_purged_%%' AND relkind = 'r' "
            "ORDER BY relname"
        )
        return [row[0] for row in cursor.fetchall()]


def test_the_nightly_task_reports_the_dropped_months_in_its_counts(requires_postgres):
    RetentionPolicy.objects.filter(category="usage_events").update(days=60)
    partitions.partitions_ensure(start=datetime.date(2026, 1, 1), months=6)
    user = UserFactory()
    for day in ((1, 5), (1, 6), (2, 7), (6, 1)):
        UsageEvent.objects.create(
            occurred_at=datetime.datetime(2026, *day, 9, tzinfo=datetime.UTC),
            organisation=user.organisation,
            user=user,
            action="view",
        )

    with time_machine.travel(NOW, tick=False):
        summary = purge_retention_category.apply(args=["usage_events"]).get()

    assert summary["deleted"] == 3
    assert UsageEvent.objects.count() == 1
    assert _detached_tables() == []
