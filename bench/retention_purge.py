"""Retention purge of one million expired usage events, three ways, on the same rows:
dropping whole-month partitions, the purge engine's batched DELETE, and one unbatched DELETE.

Run with DATABASE_URL=postgres://postgres@127.0.0.1:5432/privacydesk_bench_retention
`python -m bench retention_purge`. Goals: dropping partitions at least 100 times faster than
the batched delete; the batched delete at least half the throughput of one DELETE, with no
batch (so no lock) held longer than a second; memory flat.
"""

import datetime
import time

from django.db import connection
from django.utils import timezone

from bench.common import peak_rss_mb, progress, table, verdict
from bench.generate import bench_organisations

DEFAULT_SCALE = 1_000_000
MONTHS = 10
FIRST_MONTH = datetime.date(2016, 1, 1)


def _generate(total: int, organisation_id: int, user_ids: list[int]) -> None:
    """``total`` events spread evenly over MONTHS old months, written by the server itself
    (INSERT … SELECT generate_series): nothing held in this process."""
    from usage.partitions import add_months, partitions_ensure

    partitions_ensure(start=FIRST_MONTH, months=MONTHS)
    per_month = total // MONTHS
    with connection.cursor() as cursor:
        for n in range(MONTHS):
            start = add_months(FIRST_MONTH, n)
            count = per_month if n < MONTHS - 1 else total - per_month * (MONTHS - 1)
            cursor.execute(
                "INSERT INTO usage_usageevent (occurred_at, organisation_id, user_id, "
                "session_hash, ip_address, user_agent_family, action, feature, path, "
                "status_code, duration_ms, purpose, event_id) "
                "SELECT %s::timestamptz + (g %% 2419200) * interval '1 second', %s, "
                "(%s::int[])[1 + g %% %s], '', '10.0.0.1', 'Chrome', 'page_view', 'reports', "
                "'/app/', 200, 100, 'analysis', '' FROM generate_series(1, %s) AS g",
                [
                    datetime.datetime.combine(start, datetime.time(), tzinfo=datetime.UTC),
                    organisation_id,
                    user_ids,
                    len(user_ids),
                    count,
                ],
            )
        cursor.execute("ANALYZE usage_usageevent")


def _cutoff_days() -> int:
    from usage.partitions import add_months

    end = datetime.datetime.combine(
        add_months(FIRST_MONTH, MONTHS), datetime.time(), tzinfo=datetime.UTC
    )
    return (timezone.now() - end).days - 1


def _expired_count() -> int:
    from usage.models import UsageEvent

    end = datetime.datetime.combine(datetime.date(2017, 1, 1), datetime.time(), tzinfo=datetime.UTC)
    return UsageEvent.objects.filter(occurred_at__lt=end).count()


def run(scale: int | None = None) -> None:
    from django.conf import settings

    from retention import purge
    from retention.models import PurgeRun, RetentionPolicy

    total = scale or DEFAULT_SCALE
    organisations = bench_organisations(1, 50)
    organisation, users = organisations[0]
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE usage_usageevent")
    policy, _ = RetentionPolicy.objects.get_or_create(
        category="usage_events", defaults={"basis": "event", "days": 395, "action": "delete"}
    )
    policy.days, policy.action, policy.lease_until = _cutoff_days(), "delete", None
    policy.save()
    batch_size = settings.RETENTION_BATCH_SIZE  # RETENTION_BATCH_SIZE, as in production
    results = {}

    # 1. Dropping partitions: the engine as it runs at night.
    progress(f"generating {total:,} expired events over {MONTHS} months")
    _generate(total, organisation.pk, users)
    started = time.perf_counter()
    run_ = purge.purge_category(category="usage_events", trigger="bench")
    results["drop"] = (time.perf_counter() - started, run_.total_deleted)
    assert _expired_count() == 0, "rows left after dropping partitions"

    # 2. Batched DELETE of the same rows: the engine's batch loop, without the partition step.
    progress(f"generating {total:,} expired events again")
    _generate(total, organisation.pk, users)
    batch_ends = []
    original_pause = purge._pause
    purge._pause = lambda: batch_ends.append(time.perf_counter())
    original_drop = purge._drop_expired_partitions
    purge._drop_expired_partitions = lambda *args, **kwargs: None
    try:
        started = time.perf_counter()
        run_ = purge.purge_category(category="usage_events", trigger="bench")
        elapsed = time.perf_counter() - started
    finally:
        purge._pause = original_pause
        purge._drop_expired_partitions = original_drop
    starts = [started, *batch_ends[:-1]]
    longest = max(end - start for start, end in zip(starts, batch_ends, strict=True))
    results["batched"] = (elapsed, run_.total_deleted, longest, len(batch_ends))
    assert _expired_count() == 0, "rows left after the batched delete"

    # 3. One unbatched DELETE of the same rows: one transaction, one lock for all of it.
    progress(f"generating {total:,} expired events a third time")
    _generate(total, organisation.pk, users)
    cutoff = timezone.now() - datetime.timedelta(days=policy.days)
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM usage_usageevent WHERE occurred_at < %s", [cutoff])
        deleted = cursor.rowcount
    results["single"] = (time.perf_counter() - started, deleted)
    PurgeRun.objects.filter(trigger="bench").delete()

    drop_s, drop_n = results["drop"]
    batch_s, batch_n, longest, batches = results["batched"]
    single_s, single_n = results["single"]
    speedup = batch_s / drop_s
    relative = (batch_n / batch_s) / (single_n / single_s)
    table(
        f"Retention purge of {total:,} expired usage events (PostgreSQL, monthly partitions)",
        ["method", "rows", "seconds", "rows/s", "longest lock (s)"],
        [
            [
                "drop partitions",
                f"{drop_n:,}",
                f"{drop_s:.3f}",
                f"{drop_n / drop_s:,.0f}",
                "one DROP each",
            ],
            [
                f"batched DELETE ({batches} x {batch_size:,})",
                f"{batch_n:,}",
                f"{batch_s:.2f}",
                f"{batch_n / batch_s:,.0f}",
                f"{longest:.3f}",
            ],
            [
                "one unbatched DELETE",
                f"{single_n:,}",
                f"{single_s:.2f}",
                f"{single_n / single_s:,.0f}",
                f"{single_s:.2f}",
            ],
        ],
    )
    table(
        "Goals",
        ["goal", "measured", "met"],
        [
            ["drop partitions ≥ 100x batched DELETE", f"{speedup:,.0f}x", verdict(speedup >= 100)],
            [
                "batched ≥ ½ the throughput of one DELETE",
                f"{relative:.2f}x",
                verdict(relative >= 0.5),
            ],
            ["no batch holds its locks > 1 s", f"{longest:.3f} s", verdict(longest <= 1.0)],
            ["memory flat", f"peak RSS {peak_rss_mb():.0f} MB", "see figure"],
        ],
    )
