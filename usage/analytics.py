"""Product analytics, as the privacy notice words it: "how users interact with [the products],
how long they spend on certain tasks, and the information they gather", shown only as
aggregated, non-personal figures.

What a task is and what counts as information gathered are defined here, once: the task
sessions are derived by usage.services.task_sessions, and read below.
"""

import datetime
import itertools
import statistics
from dataclasses import dataclass

from django.conf import settings
from django.db import connection
from django.db.models import Aggregate, Count, FloatField, Sum

from accounts.models import Organisation
from accounts.selectors import users_not_processable
from common.db_routing import heavy_reads
from datamap.purposes import Purpose
from usage.models import Action, TaskSession
from usage.reports import duration_text
from usage.selectors import SMALL_CELL, feature_label

# Logging in and out is not work on a feature: such events neither make a task nor end one.
SESSION_ACTIONS = (Action.LOGIN.value, Action.LOGOUT.value, Action.LOGIN_FAILED.value)
# Information gathered: an event whose action is an export or a download (as the product and
# integrations send them, in any case), or a visit to one of PrivacyDesk's own download views.
GATHERING_ACTIONS = (Action.EXPORT.value, "download")
GATHERING_FEATURES = ("usage:export-download", "usage:organisation-export")


def task_idle_gap() -> datetime.timedelta:
    return datetime.timedelta(minutes=settings.USAGE_TASK_IDLE_MINUTES)


def task_minimum() -> datetime.timedelta:
    return datetime.timedelta(seconds=settings.USAGE_TASK_MINIMUM_SECONDS)


class Median(Aggregate):
    """PostgreSQL's exact median; SQLite has none, so ``_medians`` computes it there."""

    function = "PERCENTILE_CONT"
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = FloatField()


@dataclass(frozen=True)
class TaskRow:
    """One feature's tasks over a period; every figure is None when the cell is too small."""

    feature: str
    people: int | None
    organisations: int | None
    tasks: int | None
    typical_ms: int | None  # the median task
    total_ms: int | None
    gathered: int | None

    @property
    def suppressed(self) -> bool:
        return self.people is None

    @property
    def label(self) -> str:
        return feature_label(self.feature)

    @property
    def typical_text(self) -> str:
        return task_time_text(self.typical_ms or 0)

    @property
    def total_text(self) -> str:
        return duration_text(self.total_ms or 0)


def task_time_text(duration_ms: int) -> str:
    """A task's time in words: seconds under a minute ("45 s"), else as report durations are."""
    if duration_ms < 60_000:
        return f"{round(duration_ms / 1000)} s"
    return duration_text(duration_ms)


def _medians(tasks, features) -> dict[str, float]:
    """The median task time of each feature, read in order (SQLite's path): one query."""
    ordered = (
        tasks.filter(feature__in=features)
        .order_by("feature", "duration_ms")
        .values_list("feature", "duration_ms")
    )
    return {
        feature: statistics.median(duration for _, duration in rows)
        for feature, rows in itertools.groupby(ordered.iterator(), key=lambda row: row[0])
    }


@heavy_reads
def task_rows(
    *, start: datetime.date, end: datetime.date, organisation: Organisation | None = None
) -> list[TaskRow]:
    """Tasks per feature over [start, end] (UK dates), of one organisation or of all: how many,
    by how many people, the typical (median) task time, the time on tasks, and the downloads
    and exports among them. People who must not be counted in product analytics (restricted,
    or who objected to it) are left out, as are tasks of erased people (nobody to count). A
    feature done by fewer than SMALL_CELL people shows no figures. Most people first. One
    query on PostgreSQL, two on SQLite.
    """
    tasks = (
        TaskSession.objects.filter(date__gte=start, date__lte=end)
        .exclude(user_id=None)
        .exclude(user_id__in=users_not_processable(Purpose.ANALYTICS))
    )
    if organisation is not None:
        tasks = tasks.filter(organisation=organisation)
    measures = {
        "people": Count("user_id", distinct=True),
        "organisations": Count("organisation_id", distinct=True),
        "tasks": Count("id"),
        "total_ms": Sum("duration_ms"),
        "gathered": Sum("gathered"),
    }
    if connection.vendor == "postgresql":
        measures["typical_ms"] = Median("duration_ms")
    grouped = list(tasks.values("feature").annotate(**measures).order_by("feature"))
    shown = [group["feature"] for group in grouped if group["people"] >= SMALL_CELL]
    if connection.vendor != "postgresql":
        medians = _medians(tasks, shown) if shown else {}
        for group in grouped:
            group["typical_ms"] = medians.get(group["feature"])
    rows = []
    for group in grouped:
        if group["people"] < SMALL_CELL:
            rows.append(TaskRow(group["feature"], None, None, None, None, None, None))
            continue
        rows.append(
            TaskRow(
                feature=group["feature"],
                people=group["people"],
                organisations=group["organisations"],
                tasks=group["tasks"],
                typical_ms=round(group["typical_ms"]),
                total_ms=group["total_ms"],
                gathered=group["gathered"],
            )
        )
    rows.sort(key=lambda r: (r.suppressed, -(r.people or 0), r.label.casefold()))
    return rows
