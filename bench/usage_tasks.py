"""Task sessions of one UK day: the window-function statement the rollup runs, against the
rollup's own GROUP BY over the same events (the baseline, in this process, on these rows), and
against a streaming pass in Python over the ordered events (the alternative not taken; it only
counts the tasks, where the statement also stores them).

The events are one busy day of ten organisations of 100 people: each person stays on one
feature for twenty minutes at a time, so runs of events make tasks, as people's work does.

Run with `python -m bench usage_tasks [--scale N]` (database privacydesk_bench_usage_tasks).
Goal: deriving and storing the tasks costs at most three times the rollup's GROUP BY.
"""

import datetime

from django.db import connection, transaction

from bench.common import peak_rss_mb, percentile, progress, table, timed, verdict
from bench.generate import FEATURES, bench_organisations

DEFAULT_SCALE = 500_000
DAY = datetime.date(2016, 6, 15)
ORGANISATIONS = 10
USERS_EACH = 100
RUNS = 5


def _generate(total: int, organisations) -> None:
    """``total`` events of DAY between 08:00 and 18:00 UK time, written by the server."""
    from usage.days import uk_day_bounds
    from usage.partitions import partitions_ensure

    partitions_ensure(start=DAY.replace(day=1), months=1)
    start, end = uk_day_bounds(DAY)
    with connection.cursor() as cursor:
        cursor.execute(
            "DELETE FROM usage_usageevent WHERE occurred_at >= %s AND occurred_at < %s",
            [start, end],
        )
        organisation_ids = [organisation.pk for organisation, _ in organisations]
        user_ids = [pk for _, users in organisations for pk in users[:USERS_EACH]]
        progress(f"generating {total:,} events on {DAY}")
        cursor.execute(
            "INSERT INTO usage_usageevent (occurred_at, organisation_id, user_id, "
            "session_hash, ip_address, user_agent_family, action, feature, path, "
            "status_code, duration_ms, purpose, event_id) "
            "SELECT %s::timestamptz + second * interval '1 second', "
            "(%s::int[])[1 + u / %s], (%s::int[])[1 + u], '', '10.0.0.1', 'Chrome', "
            "CASE WHEN g %% 50 = 0 THEN 'export' ELSE 'page_view' END, "
            "(%s::text[])[1 + (u + second / 1200) %% %s], '/app/', 200, 120, '', '' "
            "FROM (SELECT g, floor(random() * %s)::int AS u, floor(random() * 36000)::int "
            "AS second FROM generate_series(1, %s) AS g) AS drawn",
            [
                start + datetime.timedelta(hours=8),
                organisation_ids,
                USERS_EACH,
                user_ids,
                FEATURES,
                len(FEATURES),
                len(user_ids),
                total,
            ],
        )
        cursor.execute("ANALYZE usage_usageevent")


def _python_pass(start, end) -> int:
    """The alternative: the day's events in order, streamed, tasks counted as they pass."""
    from usage.analytics import SESSION_ACTIONS, task_idle_gap
    from usage.models import UsageEvent

    gap = task_idle_gap()
    tasks, previous = 0, None
    for person, feature, moment in (
        UsageEvent.objects.filter(occurred_at__gte=start, occurred_at__lt=end)
        .exclude(user_id=None)
        .exclude(action__in=SESSION_ACTIONS)
        .order_by("organisation_id", "user_id", "occurred_at", "id")
        .values_list("user_id", "feature", "occurred_at")
        .iterator(chunk_size=5000)
    ):
        if previous is None or previous[:2] != (person, feature) or moment - previous[2] > gap:
            tasks += 1
        previous = (person, feature, moment)
    return tasks


def run(scale=None) -> None:
    from usage.days import uk_day_bounds
    from usage.models import TaskSession
    from usage.services import usage_rollup_day
    from usage.services.rollups import rollup_groups
    from usage.services.task_sessions import task_sessions_derive

    scale = scale or DEFAULT_SCALE
    organisations = bench_organisations(ORGANISATIONS, USERS_EACH)
    _generate(scale, organisations)
    organisation_ids = [organisation.pk for organisation, _ in organisations]
    start, end = uk_day_bounds(DAY)

    def rollup_group_by():
        # As the rollup reads them: one organisation at a time.
        for organisation_id in organisation_ids:
            list(rollup_groups(day=DAY, organisation_id=organisation_id))

    def derive():
        with transaction.atomic():
            TaskSession.objects.filter(date=DAY).delete()
            for organisation_id in organisation_ids:
                task_sessions_derive(day=DAY, organisation_id=organisation_id)

    python_found = []
    baseline = [timed(rollup_group_by) for _ in range(RUNS)]
    derived = [timed(derive) for _ in range(RUNS)]
    streamed = [timed(lambda: python_found.append(_python_pass(start, end))) for _ in range(2)]
    rollup = [timed(lambda: usage_rollup_day(day=DAY)) for _ in range(2)]
    tasks = TaskSession.objects.filter(date=DAY).count()
    assert tasks == python_found[0], (tasks, python_found[0])

    def row(name, samples):
        p50 = percentile(samples, 0.5)
        ratio = p50 / percentile(baseline, 0.5)
        return [name, len(samples), f"{p50 * 1000:.0f}", f"{ratio:.1f}x"]

    table(
        f"Task sessions of one day: {scale:,} events, {tasks:,} tasks",
        ["", "runs", "p50 ms", "of baseline"],
        [
            row("the rollup's GROUP BY over the day (baseline)", baseline),
            row("tasks derived and stored (window functions, INSERT … SELECT)", derived),
            row("streaming pass in Python, tasks only counted", streamed),
            row("whole rollup of the day, tasks included", rollup),
        ],
    )
    ratio = percentile(derived, 0.5) / percentile(baseline, 0.5)
    print(
        f"Goal: tasks derived and stored in at most 3x the GROUP BY: {verdict(ratio <= 3)} "
        f"({ratio:.1f}x). Peak RSS {peak_rss_mb():.0f} MB."
    )
