"""Retention purge of one million expired usage events, three ways, on the same rows:
detaching whole-month partitions, the purge engine's batched DELETE, and one unbatched DELETE.

Each purge is timed until the rows are out of the table. Freeing their space comes after, off
the table's lock, and is shown beside: dropping the detached months (with their exact counts)
for the first, VACUUM for the deletes. The rows are generated, then checkpointed, as rows a
year old would be, so the deletes write the full-page images they would write in production.

Detaching costs the same for a month of any size, so its lead grows with the rows a month
holds. All three run on two shapes of the million events: one month of them, which is what the
nightly purge meets (a month expires, a month goes; the reports benchmark's deployment logs
3.3 million events a month), and ten months of 100,000, a backlog purged at once.

Run with `python -m bench retention_purge` (database privacydesk_bench_retention_purge).
Goals: dropping partitions at least 100 times faster than the batched delete; the batched
delete at least half the throughput of one DELETE, with no batch (so no lock) held longer than
a second; memory flat.
"""

import contextlib
import datetime
import time

from django.db import connection
from django.utils import timezone

from bench.common import peak_rss_mb, progress, table, verdict
from bench.generate import bench_organisations

DEFAULT_SCALE = 1_000_000
WARM_UP_EVENTS = 10_000
MONTHS = 10
FIRST_MONTH = datetime.date(2016, 1, 1)


def _generate(total: int, months: int, organisation_id: int, user_ids: list[int]) -> None:
    """``total`` events spread evenly over ``months`` old months, written by the server itself
    (INSERT … SELECT generate_series): nothing held in this process."""
    from usage.partitions import add_months, partitions_ensure

    progress(f"generating {total:,} expired events over {months} month(s)")
    partitions_ensure(start=FIRST_MONTH, months=months)
    per_month = total // months
    with connection.cursor() as cursor:
        for n in range(months):
            start = add_months(FIRST_MONTH, n)
            count = per_month if n < months - 1 else total - per_month * (months - 1)
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
        cursor.execute("CHECKPOINT")


@contextlib.contextmanager
def _replaced(module, name: str, value):
    """``module.name`` is ``value`` while the block runs."""
    original = getattr(module, name)
    setattr(module, name, value)
    try:
        yield
    finally:
        setattr(module, name, original)


@contextlib.contextmanager
def _timed(module, name: str):
    """Time every call of ``module.name`` while the block runs: a list of seconds."""
    original, seconds = getattr(module, name), []

    def timed(*args, **kwargs):
        started = time.perf_counter()
        try:
            return original(*args, **kwargs)
        finally:
            seconds.append(time.perf_counter() - started)

    with _replaced(module, name, timed):
        yield seconds


def _vacuum() -> float:
    """Seconds VACUUM takes to free what a delete left: the deletes' counterpart of the DROP."""
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM usage_usageevent")
    return time.perf_counter() - started


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


def _detach_run(purge) -> dict:
    """The engine as it runs at night, then dropping what it detached."""
    with _timed(purge, "_detach_expired_partitions") as step:
        started = time.perf_counter()
        run = purge.purge_category(category="usage_events", trigger="bench")
        whole = time.perf_counter() - started
    assert _expired_count() == 0, "rows left after detaching partitions"
    started = time.perf_counter()
    purge.partitions_reclaim()
    reclaim = time.perf_counter() - started
    run.refresh_from_db()
    return {"step": sum(step), "whole": whole, "rows": run.total_deleted, "reclaim": reclaim}


def _batched_run(purge) -> dict:
    """The engine's batch loop on the same rows, with the partition step left out."""
    batch_ends = []
    with (
        _replaced(purge, "_pause", lambda: batch_ends.append(time.perf_counter())),
        _replaced(purge, "_detach_expired_partitions", lambda *args, **kwargs: None),
        _timed(purge, "_purge_rows") as step,
    ):
        started = time.perf_counter()
        run = purge.purge_category(category="usage_events", trigger="bench")
        whole = time.perf_counter() - started
    starts = [started, *batch_ends[:-1]]
    longest = max(end - start for start, end in zip(starts, batch_ends, strict=True))
    assert _expired_count() == 0, "rows left after the batched delete"
    return {
        "step": sum(step),
        "whole": whole,
        "rows": run.total_deleted,
        "longest": longest,
        "batches": len(batch_ends),
        "reclaim": _vacuum(),
    }


def _single_run(days: int) -> dict:
    """One unbatched DELETE of the same rows: one transaction, one lock for all of it."""
    cutoff = timezone.now() - datetime.timedelta(days=days)
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM usage_usageevent WHERE occurred_at < %s", [cutoff])
        rows = cursor.rowcount
    return {"step": time.perf_counter() - started, "rows": rows, "reclaim": _vacuum()}


def run(scale: int | None = None) -> None:
    from django.conf import settings

    from retention.models import PurgeRun, RetentionPolicy
    from retention.services import purge

    total = scale or DEFAULT_SCALE
    organisation, users = bench_organisations(1, 50)[0]
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE usage_usageevent")
    policy, _ = RetentionPolicy.objects.get_or_create(
        category="usage_events", defaults={"basis": "event", "days": 395, "action": "delete"}
    )
    policy.days, policy.action, policy.lease_until = _cutoff_days(), "delete", None
    policy.save()
    shapes = _measure(
        purge, total=total, organisation_id=organisation.pk, users=users, days=policy.days
    )
    PurgeRun.objects.filter(trigger="bench").delete()
    _report(total, shapes, batch_size=settings.RETENTION_BATCH_SIZE)


def _measure(purge, *, total: int, organisation_id: int, users: list[int], days: int) -> dict:
    """Each method on each shape of the rows: {months: (detached, batched, single)}."""
    # Warm-up, untimed: both paths once on a small month, so that neither pays for the
    # database connection's first look at the partitions (catalogue caches).
    for warm_up in (_detach_run, _batched_run):
        _generate(WARM_UP_EVENTS, 1, organisation_id, users)
        warm_up(purge)

    shapes = {}
    for months in (1, MONTHS):
        _generate(total, months, organisation_id, users)
        detached = _detach_run(purge)
        _generate(total, months, organisation_id, users)
        batched = _batched_run(purge)
        _generate(total, months, organisation_id, users)
        shapes[months] = (detached, batched, _single_run(days))
    return shapes


def _row(label, result, longest):
    return [
        label,
        f"{result['rows']:,}",
        f"{result['step']:.4f}",
        f"{result['rows'] / result['step']:,.0f}",
        f"{result['whole']:.4f}" if "whole" in result else "",
        f"{longest:.4f}",
        f"{result['reclaim']:.3f}",
    ]


def _goals(shape: str, months: int, batched: dict, detached: dict, single: dict) -> list[list]:
    lead = batched["step"] / detached["step"]
    relative = (batched["rows"] / batched["step"]) / (single["rows"] / single["step"])
    return [
        [
            f"{shape}: detaching ≥ 100x batched DELETE",
            f"{lead:,.0f}x",
            # A month costs the same to detach whatever it holds (about half a millisecond
            # of catalogue work): the nightly purge is the goal's case, a backlog of small
            # months is shown for what it is.
            verdict(lead >= 100) if months == 1 else "for information (a backlog)",
        ],
        [
            f"{shape}: batched ≥ ½ the throughput of one DELETE",
            f"{relative:.2f}x",
            verdict(relative >= 0.5),
        ],
        [
            f"{shape}: no batch holds its locks > 1 s",
            f"{batched['longest']:.3f} s",
            verdict(batched["longest"] <= 1.0),
        ],
    ]


def _report(total: int, shapes: dict, *, batch_size: int) -> None:
    rows, goals = [], []
    for months, (detached, batched, single) in shapes.items():
        shape = f"{months} month{'s' if months > 1 else ''} of {total // months:,}"
        rows += [
            _row(f"{shape}: detach", detached, detached["step"]),
            _row(
                f"{shape}: batched DELETE ({batched['batches']} x ~{batch_size:,})",
                batched,
                batched["longest"],
            ),
            _row(f"{shape}: one DELETE", single, single["step"]),
        ]
        goals += _goals(shape, months, batched, detached, single)
    table(
        f"Retention purge of {total:,} expired usage events (PostgreSQL, monthly partitions)",
        [
            "method",
            "rows",
            "seconds",
            "rows/s",
            "whole run (s)",
            "longest lock (s)",
            "then freeing space (s)",
        ],
        rows,
    )
    print(
        "Seconds are each method's own step; a whole run adds the run's bookkeeping (claim,\n"
        "record, release). Space is freed by dropping the detached months (with their exact\n"
        "counts) and by VACUUM after the deletes. The nightly purge meets the one-month shape\n"
        "(a month expires, a month goes); ten months at once is a backlog, after a policy change."
    )
    table(
        "Goals",
        ["goal", "measured", "met"],
        [*goals, ["memory flat", f"peak RSS {peak_rss_mb():.0f} MB", "see figure"]],
    )
