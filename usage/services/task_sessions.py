"""Task sessions derived from one UK day's usage events, in the database.

A task is a run of one person's events on one feature, in time order, with no gap between two
of them longer than the idle gap (``USAGE_TASK_IDLE_MINUTES``; a gap of exactly that length
still continues the task). An event of another feature ends the task; logging in or out neither
makes a task nor ends one. A task lasts from its first event to its last, and at least
``USAGE_TASK_MINIMUM_SECONDS``, so that a single page view counts as a short task, not as none.
Tasks do not cross UK midnight: each day's rollup derives its own, so a rerun changes nothing.

Window functions number the tasks (LAG finds where a task starts, a running SUM numbers them),
GROUP BY sums them and INSERT … SELECT stores them, so nothing leaves the database (bench/
usage_tasks.py measures it). PostgreSQL and SQLite share the statement; only the expressions
turning a time into milliseconds and taking the greater of two numbers differ.
"""

import datetime

from django.db import connection

from usage.analytics import (
    GATHERING_ACTIONS,
    GATHERING_FEATURES,
    SESSION_ACTIONS,
    task_idle_gap,
    task_minimum,
)
from usage.days import uk_day_bounds
from usage.models import TaskSession, UsageEvent

EPOCH_MS = {
    # date_part is a float: several times faster than EXTRACT's numeric, and exact to the ms.
    "postgresql": "(date_part('epoch', occurred_at) * 1000)::bigint",
    "sqlite": "CAST(ROUND((julianday(occurred_at) - 2440587.5) * 86400000.0) AS INTEGER)",
}


def _placeholders(values) -> str:
    return ", ".join(["%s"] * len(values))


GREATEST = {"postgresql": "GREATEST", "sqlite": "MAX"}


def _tasks_insert(*, day: datetime.date, organisation_id: int) -> tuple[str, list]:
    """The statement deriving and storing one UK day's tasks of one organisation, and its
    parameters."""
    at = EPOCH_MS[connection.vendor]
    # Table names and expressions are ours; every value goes in as a parameter.
    sql = f"""
        WITH events AS (
            SELECT organisation_id, user_id, feature, id, occurred_at, {at} AS at_ms,
                CASE WHEN LOWER(action) IN ({_placeholders(GATHERING_ACTIONS)})
                    OR feature IN ({_placeholders(GATHERING_FEATURES)}) THEN 1 ELSE 0 END
                    AS gathered
            FROM {UsageEvent._meta.db_table}
            WHERE organisation_id = %s AND occurred_at >= %s AND occurred_at < %s
                AND user_id IS NOT NULL AND action NOT IN ({_placeholders(SESSION_ACTIONS)})
        ), marked AS (
            SELECT organisation_id, user_id, feature, id, occurred_at, at_ms, gathered,
                CASE WHEN LAG(feature) OVER person = feature
                    AND at_ms - LAG(at_ms) OVER person <= %s THEN 0 ELSE 1 END AS starts
            FROM events
            WINDOW person AS (PARTITION BY organisation_id, user_id ORDER BY occurred_at, id)
        ), numbered AS (
            SELECT organisation_id, user_id, feature, occurred_at, at_ms, gathered,
                SUM(starts) OVER (
                    PARTITION BY organisation_id, user_id ORDER BY occurred_at, id
                    ROWS UNBOUNDED PRECEDING
                ) AS task
            FROM marked
        )
        INSERT INTO {TaskSession._meta.db_table} (date, organisation_id, user_id, feature,
            started_at, event_count, duration_ms, gathered)
        SELECT %s, organisation_id, user_id, feature, MIN(occurred_at), COUNT(*),
            {GREATEST[connection.vendor]}(MAX(at_ms) - MIN(at_ms), %s), SUM(gathered)
        FROM numbered
        GROUP BY organisation_id, user_id, task, feature
    """  # noqa: S608
    start, end = uk_day_bounds(day)
    params = [
        *GATHERING_ACTIONS,
        *GATHERING_FEATURES,
        organisation_id,
        # As the ORM would send them: SQLite compares times as text.
        connection.ops.adapt_datetimefield_value(start),
        connection.ops.adapt_datetimefield_value(end),
        *SESSION_ACTIONS,
        task_idle_gap() // datetime.timedelta(milliseconds=1),
        connection.ops.adapt_datefield_value(day),
        task_minimum() // datetime.timedelta(milliseconds=1),
    ]
    return sql, params


def task_sessions_derive(*, day: datetime.date, organisation_id: int) -> int:
    """Store one UK day's task sessions of one organisation; returns how many. One statement,
    naming the organisation (docs/scaling.md): no event and no task leaves the database.

    Called by usage_rollup_day, in its transaction, after it has deleted the day's rows.
    """
    with connection.cursor() as cursor:
        cursor.execute(*_tasks_insert(day=day, organisation_id=organisation_id))
        return cursor.rowcount
