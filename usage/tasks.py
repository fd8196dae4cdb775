import datetime

from celery import shared_task
from django.utils import timezone

from usage.buffer import buffer_drain
from usage.partitions import partitions_ensure
from usage.services import usage_rollup_day


@shared_task
def drain_usage_buffer() -> int:
    return buffer_drain()


@shared_task
def rollup_usage(day: str | None = None) -> dict:
    """Roll up one UK day, or yesterday and today when no day is given."""
    today = timezone.localdate()
    days = (
        [datetime.date.fromisoformat(day)] if day else [today - datetime.timedelta(days=1), today]
    )
    return {d.isoformat(): usage_rollup_day(day=d) for d in days}


@shared_task
def ensure_usage_partitions() -> list[str]:
    """Keep this month's and the next three months' partitions created ahead."""
    return partitions_ensure(start=timezone.now().date(), months=4)
