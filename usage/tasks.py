import datetime

from celery import shared_task
from django.utils import timezone

from usage.buffer import buffer_drain
from usage.models import ReportSubscription, UsageExport
from usage.partitions import partitions_ensure
from usage.periods import Period
from usage.services.export_files import usage_export_build, usage_exports_delete_expired
from usage.services.rollups import usage_rollup_day, usage_touched_days_rollup
from usage.services.subscriptions import report_deliveries_due, report_delivery_build


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


@shared_task
def deliver_usage_reports() -> int:
    """Hourly: queue the build of each subscription's closed period not yet delivered."""
    due = report_deliveries_due(timezone.now())
    for subscription, period in due:
        deliver_usage_report.delay(
            subscription.pk, period.start.isoformat(), period.end.isoformat()
        )
    return len(due)


@shared_task
def deliver_usage_report(subscription_id: int, start: str, end: str) -> bool:
    """Build and send one period's report; a second run of the same period does nothing."""
    subscription = ReportSubscription.objects.filter(pk=subscription_id).first()
    if subscription is None:
        return False
    period = Period(datetime.date.fromisoformat(start), datetime.date.fromisoformat(end))
    return report_delivery_build(subscription=subscription, period=period)[1]


@shared_task
def build_usage_export(export_id: int) -> bool:
    export = UsageExport.objects.select_related("organisation").filter(pk=export_id).first()
    return export is not None and usage_export_build(export=export)


@shared_task
def delete_expired_usage_exports() -> int:
    """Hourly: delete the files of exports past their 24 hours (idempotent)."""
    return usage_exports_delete_expired()
