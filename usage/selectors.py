"""Usage reads: the client report (from the daily rollups, never raw events) and aggregates."""

import datetime
from dataclasses import dataclass, field

from django.db.models import Count, Max, Min, Sum

from accounts.models import Organisation, User
from accounts.selectors import users_excluded_from_reports
from usage.models import DailyUsage

GROUPINGS = ("user", "feature", "purpose", "day")
SMALL_CELL = 5  # Aggregates hide any cell with fewer distinct people than this.


@dataclass
class ReportRow:
    key: str
    label: str
    events: int
    duration_ms: int
    active_days: int
    users: int


@dataclass
class UsageReport:
    organisation: Organisation
    start: datetime.date
    end: datetime.date
    group_by: str
    rows: list[ReportRow]
    series: list[tuple[datetime.date, int]]
    user_ids: list[int] = field(default_factory=list)

    @property
    def total_events(self) -> int:
        return sum(row.events for row in self.rows)

    @property
    def total_duration_ms(self) -> int:
        return sum(row.duration_ms for row in self.rows)


def _rollups(organisation, start, end):
    return (
        DailyUsage.objects.filter(organisation=organisation, date__gte=start, date__lte=end)
        .exclude(user_id__in=users_excluded_from_reports())
        .order_by()
    )


def usage_report(
    *, organisation: Organisation, start: datetime.date, end: datetime.date, group_by: str
) -> UsageReport:
    """Usage of one organisation over [start, end] (UK dates), grouped one way.

    Three queries: the grouped rows, the daily series for the chart, and the people's names.
    """
    if group_by not in GROUPINGS:
        raise ValueError(f"group_by must be one of {', '.join(GROUPINGS)}")
    rollups = _rollups(organisation, start, end)
    column = {"user": "user_id", "feature": "feature", "purpose": "purpose", "day": "date"}
    grouped = (
        rollups.values(column[group_by])
        .annotate(
            events=Sum("event_count"),
            duration=Sum("total_duration_ms"),
            days=Count("date", distinct=True),
            users=Count("user_id", distinct=True),
            first=Min("first_seen"),
            last=Max("last_seen"),
        )
        .order_by(column[group_by])
    )
    grouped = list(grouped)
    series_rows = dict(rollups.values_list("date").annotate(events=Sum("event_count")))
    user_ids = sorted(set(rollups.exclude(user_id=None).values_list("user_id", flat=True)))
    names = {}
    if group_by == "user":
        names = {
            pk: f"{name} <{email}>"
            for pk, name, email in User.objects.filter(pk__in=user_ids).values_list(
                "pk", "full_name", "email"
            )
        }
    rows = []
    for group in grouped:
        key = group[column[group_by]]
        if group_by == "user":
            label = names.get(key, "Former user (erased)")
        elif group_by == "day":
            label = key.isoformat()
        else:
            label = key or "(none)"
        rows.append(
            ReportRow(
                key=str(key) if key is not None else "",
                label=label,
                events=group["events"] or 0,
                duration_ms=group["duration"] or 0,
                active_days=group["days"],
                users=group["users"],
            )
        )
    if group_by in ("feature", "purpose", "day"):
        rows.sort(key=lambda r: (-r.events, r.label) if group_by != "day" else (r.label,))
    days = (end - start).days + 1
    series = [
        (day, series_rows.get(day, 0))
        for day in (start + datetime.timedelta(days=n) for n in range(days))
    ]
    return UsageReport(organisation, start, end, group_by, rows, series, user_ids)


@dataclass
class AggregateRow:
    feature: str
    organisations: int | None
    users: int | None
    events: int | None
    hours: float | None

    @property
    def suppressed(self) -> bool:
        return self.users is None


def usage_aggregates(*, start: datetime.date, end: datetime.date) -> list[AggregateRow]:
    """Feature adoption and time spent across organisations, for the company's own use.

    No user identifier leaves this function, and any feature used by fewer than SMALL_CELL
    distinct people shows no figures at all.
    """
    grouped = (
        DailyUsage.objects.filter(date__gte=start, date__lte=end)
        .exclude(user_id=None)
        .exclude(user_id__in=users_excluded_from_reports())
        .values("feature")
        .annotate(
            organisations=Count("organisation_id", distinct=True),
            users=Count("user_id", distinct=True),
            events=Sum("event_count"),
            duration=Sum("total_duration_ms"),
        )
        .order_by("feature")
    )
    rows = []
    for group in grouped:
        if group["users"] < SMALL_CELL:
            rows.append(AggregateRow(group["feature"] or "(none)", None, None, None, None))
        else:
            rows.append(
                AggregateRow(
                    feature=group["feature"] or "(none)",
                    organisations=group["organisations"],
                    users=group["users"],
                    events=group["events"],
                    hours=round(group["duration"] / 3_600_000, 1),
                )
            )
    rows.sort(key=lambda r: (r.suppressed, -(r.users or 0), r.feature))
    return rows
