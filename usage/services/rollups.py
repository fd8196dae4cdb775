"""Daily rollups: one UK day's events summed into the narrow tables the reports read."""

import datetime
from collections import defaultdict

from django.db import connection, transaction
from django.db.models import Count, Max, Min, Sum
from django.db.models.functions import Coalesce

from accounts.organisation_selectors import organisation_ids
from usage.days import uk_day_bounds
from usage.models import (
    DailyFeatureUsage,
    DailyUsage,
    DailyUserUsage,
    TaskSession,
    UsageDayTouched,
    UsageEvent,
)
from usage.services.task_sessions import task_sessions_derive


def usage_rollup_day(*, day: datetime.date, organisation_id: int | None = None) -> int:
    """Recompute one UK day's rollups from the events, of one organisation or of each in turn;
    returns the DailyUsage rows written. Running it again changes nothing.

    DailyUsage keeps the full grain; DailyUserUsage and DailyFeatureUsage are the narrower
    sums the reports read, so a 90-day report touches thousands of rows, not millions. The
    day's task sessions are derived again with them (usage.services.task_sessions).

    One organisation at a time, each in its own transaction, and every statement names it:
    these tables shard by organisation on Citus (docs/scaling.md), where each statement is
    then a router query on one node, and on one PostgreSQL each reads its own index range
    rather than the whole month's partition. An organisation with neither events nor rollups
    that day costs two index probes.
    """
    if organisation_id is not None:
        return _rollup_organisation_day(day, organisation_id)
    return sum(
        _rollup_organisation_day(day, pk) for pk in organisation_ids() if _has_usage(day, pk)
    )


def _has_usage(day: datetime.date, organisation_id: int) -> bool:
    start, end = uk_day_bounds(day)
    return (
        UsageEvent.objects.filter(
            organisation_id=organisation_id, occurred_at__gte=start, occurred_at__lt=end
        ).exists()
        or DailyUsage.objects.filter(organisation_id=organisation_id, date=day).exists()
    )


def rollup_groups(*, day: datetime.date, organisation_id: int):
    """The GROUP BY the rollup stores as DailyUsage: one organisation's UK day of events per
    person, feature and purpose (bench.usage_tasks times it as its baseline)."""
    start, end = uk_day_bounds(day)
    return (
        UsageEvent.objects.filter(
            organisation_id=organisation_id, occurred_at__gte=start, occurred_at__lt=end
        )
        .values("user_id", "feature", "purpose")
        .annotate(
            event_count=Count("id"),
            total_duration_ms=Coalesce(Sum("duration_ms"), 0),
            first_seen=Min("occurred_at"),
            last_seen=Max("occurred_at"),
        )
        .order_by()
    )


def _rollup_organisation_day(day: datetime.date, organisation_id: int) -> int:
    groups = rollup_groups(day=day, organisation_id=organisation_id)
    of_organisation = {"organisation_id": organisation_id, "date": day}
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                # Two rollups of one organisation's day at once would both delete, then insert.
                cursor.execute(
                    "SELECT pg_advisory_xact_lock(hashtext(%s))",
                    [f"usage-rollup:{organisation_id}:{day.isoformat()}"],
                )
                # The groups are read through a server-side cursor, which the planner would
                # plan for its first rows (an index scan, ten times slower): plan for all.
                cursor.execute("SET LOCAL cursor_tuple_fraction = 1")
        for model in (DailyUsage, DailyUserUsage, DailyFeatureUsage, TaskSession):
            model.objects.filter(**of_organisation).delete()
        rows = DailyUsage.objects.bulk_create(
            (DailyUsage(**of_organisation, **group) for group in groups.iterator(chunk_size=5000)),
            batch_size=2000,
        )
        of_day = DailyUsage.objects.filter(**of_organisation).order_by()
        totals = {"event_count": Sum("event_count"), "total_duration_ms": Sum("total_duration_ms")}
        DailyUserUsage.objects.bulk_create(
            (
                DailyUserUsage(**of_organisation, **group)
                for group in of_day.values("user_id").annotate(**totals)
            ),
            batch_size=2000,
        )
        DailyFeatureUsage.objects.bulk_create(
            (
                DailyFeatureUsage(**of_organisation, **group)
                for group in of_day.values("feature", "purpose").annotate(
                    users=Count("user_id", distinct=True), **totals
                )
            ),
            batch_size=2000,
        )
        task_sessions_derive(day=day, organisation_id=organisation_id)
    return len(rows)


def usage_touched_days_rollup() -> int:
    """Re-roll each (organisation, day) a write marked touched, and delete the marks it read;
    returns how many were re-rolled.

    Each re-roll and the deletion of its marks commit together. A mark written meanwhile is
    not among those read, so it stays for the next run; a run that dies re-rolls again, which
    changes nothing. Reading the marks is the one statement here that spans organisations (a
    small work queue); every re-roll and deletion names its organisation.
    """
    marks = defaultdict(list)
    for pk, organisation_id, day in UsageDayTouched.objects.order_by().values_list(
        "pk", "organisation_id", "day"
    ):
        marks[(organisation_id, day)].append(pk)
    for (organisation_id, day), pks in sorted(marks.items()):
        with transaction.atomic():
            usage_rollup_day(day=day, organisation_id=organisation_id)
            UsageDayTouched.objects.filter(organisation_id=organisation_id, pk__in=pks).delete()
    return len(marks)
