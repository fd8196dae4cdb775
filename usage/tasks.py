import datetime

from celery import shared_task
from django.utils import timezone

from usage.buffer import buffer_drain
from usage.partitions import partitions_ensure
from usage.services import usage_rollup_day, usage_touched_days_rollup


@shared_task
def drain_usage_buffer() -> int:
    return buffer_drain()


@shared_task
def rollup_usage(day: str | None = None) -> dict:
    """Roll up one UK day; with none given, yesterday and today, and every earlier day that
    late events touched (should the re-roll queued after their write have been lost)."""
    if day:
        return {day: usage_rollup_day(day=datetime.date.fromisoformat(day))}
    today = timezone.localdate()
    rows = {d.isoformat(): usage_rollup_day(day=d) for d in (today - datetime.timedelta(1), today)}
    return {**rows, "touched_days": usage_touched_days_rollup()}


@shared_task
def rollup_touched_usage_days() -> int:
    """Re-roll the days late events touched; queued once their write commits."""
    return usage_touched_days_rollup()


@shared_task
def ensure_usage_partitions() -> list[str]:
    """Keep this month's and the next three months' partitions created ahead."""
    return partitions_ensure(start=timezone.now().date(), months=4)
