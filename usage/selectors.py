"""Usage reads: the client report (from the daily rollups, never raw events) and aggregates."""

import datetime
from dataclasses import dataclass, field

from django.db.models import Count, F, Prefetch, Q, Sum, Value
from django.utils import timezone

from accounts.models import Organisation, User
from accounts.selectors import report_entitlements_of, users_not_processable
from common import present
from common.db_routing import heavy_reads
from datamap.purposes import Purpose
from usage.buffer import buffer_dropped_count
from usage.models import (
    DailyFeatureUsage,
    DailyUsage,
    DailyUserUsage,
    DeadLetter,
    DirectWriteCount,
    Grouping,
    ReportDelivery,
    ReportDeliveryRecipient,
    ReportSubscription,
    ReportSubscriptionRecipient,
    UsageExport,
    UsagePurpose,
)

GROUPINGS = tuple(Grouping.values)  # ("user", "feature", "purpose", "day")
SMALL_CELL = 5  # Aggregates hide any cell with fewer distinct people than this.
RECENT_DEAD_LETTERS = 5
DIRECT_WRITE_DAYS = 30


@dataclass
class ReportRow:
    key: str
    label: str
    events: int
    duration_ms: int
    active_days: int
    users: int
    email: str = ""  # by user: the person's address, shown in its own column

    @property
    def full_label(self) -> str:
        """The label with the address, where one row must say both (CSV, JSON)."""
        return f"{self.label} <{self.email}>" if self.email else self.label


ERASED_LABEL = "Former user (erased)"
NO_FEATURE_LABEL = "No feature recorded"
NO_PURPOSE_LABEL = "No purpose set"


def feature_label(code: str) -> str:
    """A feature in words. Features are the product's view names (``usage:report``,
    ``user_settings``) and nobody writes labels for them, so the code itself is made readable."""
    if not code:
        return NO_FEATURE_LABEL
    return present.humanise(code.replace(":", " "))


def group_labels(organisation: Organisation, group_by: str, keys) -> dict:
    """Words for the keys of a report's rows (feature, purpose or day): one query for purposes,
    whose labels the organisation set; none otherwise. People are named elsewhere."""
    if group_by == "feature":
        return {key: feature_label(key) for key in keys}
    if group_by == "purpose":
        labels = dict(
            UsagePurpose.objects.filter(organisation=organisation).values_list("code", "label")
        )
        return {
            key: labels.get(key) or (present.humanise(key) if key else NO_PURPOSE_LABEL)
            for key in keys
        }
    if group_by == "day":
        return {
            key: present.day(
                key if isinstance(key, datetime.date) else datetime.date.fromisoformat(key)
            )
            for key in keys
        }
    return {}


def people_named(user_ids) -> dict[int, tuple[str, str]]:
    """Name and e-mail address of each person still holding an account: one query."""
    return {
        pk: (name, email)
        for pk, name, email in User.objects.filter(pk__in=user_ids).values_list(
            "pk", "full_name", "email"
        )
    }


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


def _in_range(model, organisation, start, end):
    return model.objects.filter(organisation=organisation, date__gte=start, date__lte=end)


def _by_person_or_day(people, group_by: str):
    column = "user_id" if group_by == "user" else "date"
    return (
        people.values(column)
        .annotate(
            key=F(column),
            events=Sum("event_count"),
            duration=Sum("total_duration_ms"),
            # One DailyUserUsage row is one person on one day. Rows are counted by a column of
            # the covering index, so the report never reads the table.
            days=Count("date") if group_by == "user" else Value(1),
            users=Value(1) if group_by == "user" else Count("date"),
        )
        .order_by(column)
    )


def _by_feature_or_purpose(organisation, start, end, group_by: str):
    """Totals per feature or purpose, less the share of people left out of reports."""
    excluded = users_not_processable(Purpose.USAGE)
    measures = {"events": Sum("event_count"), "duration": Sum("total_duration_ms")}
    totals = (
        _in_range(DailyFeatureUsage, organisation, start, end)
        .values(group_by)
        .annotate(
            key=F(group_by), users=Sum("users"), days=Count("date", distinct=True), **measures
        )
        .order_by()
    )
    left_out = {
        row[group_by]: row
        for row in _in_range(DailyUsage, organisation, start, end)
        .filter(user_id__in=excluded)
        .values(group_by)
        .annotate(users=Count("id"), **measures)
        .order_by()
    }
    grouped = []
    for row in totals:
        less = left_out.get(row["key"], {})
        row = {**row, **{k: row[k] - less.get(k, 0) for k in ("events", "duration", "users")}}
        if row["events"] > 0:
            grouped.append(row)
    return grouped


@heavy_reads
def usage_report(
    *, organisation: Organisation, start: datetime.date, end: datetime.date, group_by: str
) -> UsageReport:
    """Usage of one organisation over [start, end] (UK dates), grouped one way.

    Three or four queries, on the narrow rollups: the grouped rows (for features and purposes,
    and the share of people left out), the daily series for the chart, and the people in the
    report (by user: their names; by purpose: the purposes' labels). Rows come most active
    first.
    """
    if group_by not in GROUPINGS:
        raise ValueError(f"group_by must be one of {', '.join(GROUPINGS)}")
    people = _in_range(DailyUserUsage, organisation, start, end).exclude(
        user_id__in=users_not_processable(Purpose.USAGE)
    )
    if group_by in ("user", "day"):
        grouped = list(_by_person_or_day(people, group_by))
    else:
        grouped = _by_feature_or_purpose(organisation, start, end, group_by)
    series_rows = dict(people.order_by().values_list("date").annotate(events=Sum("event_count")))
    if group_by == "user":
        user_ids = [row["key"] for row in grouped if row["key"] is not None]
    else:
        user_ids = sorted(
            set(people.exclude(user_id=None).order_by().values_list("user_id", flat=True))
        )
    names = people_named(user_ids) if group_by == "user" else {}
    labels = group_labels(organisation, group_by, [group["key"] for group in grouped])
    rows = []
    for group in grouped:
        key = group["key"]
        name, email = names.get(key, (ERASED_LABEL, ""))
        rows.append(
            ReportRow(
                key=str(key) if key is not None else "",
                label=name if group_by == "user" else labels[key],
                email=email if group_by == "user" else "",
                events=group["events"] or 0,
                duration_ms=group["duration"] or 0,
                active_days=group["days"],
                users=group["users"],
            )
        )
    # Most active first; the page may sort otherwise (usage.reports.report_table).
    rows.sort(key=lambda r: (-r.events, r.label.casefold(), r.key))
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

    @property
    def label(self) -> str:
        return feature_label("" if self.feature == "(none)" else self.feature)


@heavy_reads
def usage_aggregates(*, start: datetime.date, end: datetime.date) -> list[AggregateRow]:
    """Feature adoption and server time across organisations, for the company's own use.

    No user identifier leaves this function, and any feature used by fewer than SMALL_CELL
    distinct people shows no figures at all.
    """
    grouped = (
        DailyUsage.objects.filter(date__gte=start, date__lte=end)
        .exclude(user_id=None)
        .exclude(user_id__in=users_not_processable(Purpose.ANALYTICS))
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


@dataclass(frozen=True)
class LoggingHealth:
    dead_letters: int
    recent_dead_letters: list[DeadLetter]
    direct_writes: int  # events written past the buffer since ``since`` (a UK date)
    since: datetime.date
    dropped: int | None  # events lost because even the direct write failed; None: unknown


def usage_logging_health() -> LoggingHealth:
    """What usage logging could not do as planned. Three queries (the dead letters' count,
    the newest of them, the direct writes' sum) and one Redis read (the dropped count)."""
    since = timezone.localdate() - datetime.timedelta(days=DIRECT_WRITE_DAYS - 1)
    return LoggingHealth(
        dead_letters=DeadLetter.objects.count(),
        recent_dead_letters=list(
            DeadLetter.objects.only("failed_at", "reason").order_by("-id")[:RECENT_DEAD_LETTERS]
        ),
        direct_writes=DirectWriteCount.objects.filter(date__gte=since).aggregate(
            events=Sum("events", default=0)
        )["events"],
        since=since,
        dropped=buffer_dropped_count(),
    )


# --- Scheduled reports and exports ---------------------------------------------------------


def report_subscriptions_of(organisation: Organisation):
    """The organisation's subscriptions, newest first, with their recipients: two queries."""
    return (
        ReportSubscription.objects.filter(organisation=organisation)
        .select_related("created_by")
        .prefetch_related(
            Prefetch(
                "recipients",
                queryset=ReportSubscriptionRecipient.objects.select_related(
                    "user__organisation"
                ).order_by("user__full_name", "pk"),
            )
        )
        .order_by("cancelled_at", "-created_at")
    )


def report_deliveries_openable_by(user: User):
    """Deliveries a client admin may open: every one of their own organisation, and those of
    another organisation addressed to them while it still names theirs as a group company."""
    still_named = report_entitlements_of(user.organisation_id).values("organisation_id")
    addressed = ReportDeliveryRecipient.objects.filter(user=user).values("delivery_id")
    return (
        ReportDelivery.objects.filter(
            Q(organisation_id=user.organisation_id)
            | Q(pk__in=addressed, organisation_id__in=still_named)
        )
        .select_related("organisation", "subscription")
        .order_by("-period_start", "-pk")
    )


def delivered_report(delivery: ReportDelivery) -> UsageReport:
    """A delivery's stored figures as a report, for the page the live report uses. People are
    named from their accounts now (one query): an erased person shows as erased."""
    figures = delivery.figures or {}
    rows = figures.get("rows", [])
    names, labels = {}, {}
    if delivery.grouping == "user":
        keys = [int(row["key"]) for row in rows if str(row.get("key", "")).isdigit()]
        names = {str(pk): named for pk, named in people_named(keys).items()}
    else:
        # Words from the keys now, as the live report has them: deliveries built before
        # features had labels stored the codes.
        labels = group_labels(delivery.organisation, delivery.grouping, [r["key"] for r in rows])
    return UsageReport(
        organisation=delivery.organisation,
        start=delivery.period_start,
        end=delivery.period_end,
        group_by=delivery.grouping,
        rows=[
            ReportRow(
                key=row["key"],
                label=names.get(row["key"], (ERASED_LABEL, ""))[0]
                if delivery.grouping == "user"
                else labels.get(row["key"]) or row["label"],
                email=names.get(row["key"], ("", ""))[1],
                events=row["events"],
                duration_ms=row["duration_ms"],
                active_days=row["active_days"],
                users=row["users"],
            )
            for row in rows
        ],
        series=[
            (datetime.date.fromisoformat(day), events) for day, events in figures.get("daily", [])
        ],
    )


def usage_exports_openable_by(user: User):
    """Exports a client admin may open: those their organisation's admins asked for, of its
    own report or of the report of an organisation that still names theirs as its group
    company, affiliate or partner. Another organisation's copies of this one's report are
    that organisation's, not this one's."""
    still_named = report_entitlements_of(user.organisation_id).values("organisation_id")
    asked_here = Q(requested_by__organisation_id=user.organisation_id) | Q(
        requested_by__isnull=True, organisation_id=user.organisation_id
    )
    return (
        UsageExport.objects.filter(asked_here)
        .filter(Q(organisation_id=user.organisation_id) | Q(organisation_id__in=still_named))
        .select_related("requested_by", "organisation")
    )


def usage_exports_of(user: User, limit: int = 20):
    """The latest exports ``user`` may open, with who asked and whose report: one query."""
    return usage_exports_openable_by(user)[:limit]
