"""Client reports: read from the daily rollups, against GROUP BY over the raw events."""

import datetime

from django.db import connection
from django.db.models import Count, Sum
from django.utils import timezone

from bench.common import peak_rss_mb, percentile, progress, table, timed, verdict
from bench.generate import bench_organisations, generate_events

DEFAULT_SCALE = 10_000_000  # the scale: ten million events in the table
DAYS = 90
ORGANISATIONS = 10
USERS_EACH = 100


def _tables() -> list[str]:
    """The events table, then the rollup tables the reports read."""
    from usage.models import DailyFeatureUsage, DailyUsage, DailyUserUsage, UsageEvent

    return [m._meta.db_table for m in (UsageEvent, DailyUsage, DailyUserUsage, DailyFeatureUsage)]


def _prepare(scale: int) -> None:
    from usage.models import DailyUsage, UsageEvent
    from usage.services import usage_rollup_day

    organisations = bench_organisations(ORGANISATIONS, USERS_EACH)
    present = UsageEvent.objects.filter(organisation__slug__startswith="bench-").count()
    if present == scale:
        progress(f"reusing {present:,} events already generated")
        return
    progress(f"generating {scale:,} events over {DAYS} days (had {present:,})")
    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {', '.join(_tables())}")
    generate_events(total=scale, days=DAYS, organisations=organisations)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE usage_usageevent")
    today = timezone.localdate()
    for n in range(DAYS + 1):
        usage_rollup_day(day=today - datetime.timedelta(days=n))
        if n % 15 == 0:
            progress(f"rolled up {n + 1} of {DAYS + 1} days")
    with connection.cursor() as cursor:
        # What autovacuum does on a live system, done now: the reports read fresh statistics.
        cursor.execute(f"VACUUM ANALYZE {', '.join(_tables()[1:])}")
    progress(f"{DailyUsage.objects.count():,} rollup rows; peak RSS {peak_rss_mb():.0f} MB")


def run(scale=None) -> None:
    from accounts.models import Organisation
    from usage.models import UsageEvent
    from usage.selectors import usage_report
    from usage.services import uk_day_bounds

    scale = scale or DEFAULT_SCALE
    _prepare(scale)
    organisation = Organisation.objects.get(slug="bench-0")
    end = timezone.localdate()
    start = end - datetime.timedelta(days=DAYS - 1)

    def rollup_report():
        usage_report(organisation=organisation, start=start, end=end, group_by="user")

    def raw_report():
        low, _ = uk_day_bounds(start)
        _, high = uk_day_bounds(end)
        list(
            UsageEvent.objects.filter(
                organisation=organisation, occurred_at__gte=low, occurred_at__lt=high
            )
            .values("user_id")
            .annotate(events=Count("id"), duration=Sum("duration_ms"))
            .order_by("user_id")
        )

    rollup_report()
    raw_report()
    fast = [timed(rollup_report) * 1000 for _ in range(50)]
    slow = [timed(raw_report) * 1000 for _ in range(5)]
    speedup = percentile(slow, 0.5) / percentile(fast, 0.5)
    table(
        f"Client report, one organisation, {DAYS} days, by user ({scale:,} events in the table)",
        ["", "runs", "p50 ms", "p95 ms"],
        [
            [
                "GROUP BY over raw events (baseline)",
                len(slow),
                f"{percentile(slow, 0.5):.1f}",
                f"{percentile(slow, 0.95):.1f}",
            ],
            [
                "report from daily rollups",
                len(fast),
                f"{percentile(fast, 0.5):.1f}",
                f"{percentile(fast, 0.95):.1f}",
            ],
            ["speed-up (baseline / rollups, p50)", "", f"{speedup:.0f}x", ""],
        ],
    )
    print(
        f"Goals: p95 under 100 ms: {verdict(percentile(fast, 0.95) < 100)}; "
        f"at least 50x faster: {verdict(speedup >= 50)}. Peak RSS {peak_rss_mb():.0f} MB."
    )
