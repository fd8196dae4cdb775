"""Reads: published notices, consent rates, the consent log."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import Count, Q, Sum
from django.db.models.functions import TruncWeek
from django.utils import timezone

from cookies.catalogue import Catalogue
from cookies.models import ConsentRecord, PageVisitCount, PolicyVersion


def policy_current(kind: str) -> PolicyVersion | None:
    return PolicyVersion.objects.filter(kind=kind, number__isnull=False).order_by("-number").first()


# What a history list never shows, and which grows with every version.
HEAVY_FIELDS = ("body", "sections", "snapshot", "text", "diff")


def policy_history(kind: str) -> list[PolicyVersion]:
    versions = PolicyVersion.objects.filter(kind=kind, number__isnull=False).order_by("-number")
    return list(versions.defer(*HEAVY_FIELDS))


def policy_draft(kind: str) -> PolicyVersion | None:
    return PolicyVersion.objects.filter(kind=kind, published_at__isnull=True).first()


@dataclass(frozen=True)
class RateCell:
    accepted: int
    total: int

    @property
    def percent(self) -> float | None:
        return round(100 * self.accepted / self.total, 1) if self.total else None


@dataclass(frozen=True)
class RateRow:
    week: date
    decisions: int
    cells: dict[str, RateCell]  # group varname -> its acceptance in that week
    # Decisions made while the browser sent a Global Privacy Control signal.
    with_gpc: int = 0

    @property
    def ordered(self) -> list[RateCell]:
        return list(self.cells.values())


def _bounds(start: date, end: date) -> tuple[datetime, datetime]:
    tz = timezone.get_current_timezone()
    return (
        datetime.combine(start, time.min, tzinfo=tz),
        datetime.combine(end + timedelta(days=1), time.min, tzinfo=tz),
    )


def consent_rates(*, start: date, end: date, catalogue: Catalogue) -> list[RateRow]:
    """Per week (Monday, UK time) and optional category: decisions and acceptances.

    One query, grouped by week, with one filtered count per category.
    """
    since, until = _bounds(start, end)
    counts = {
        f"yes_{group.varname}": Count("id", filter=Q(accepted__contains=f",{group.varname},"))
        for group in catalogue.optional
    }
    rows = (
        ConsentRecord.objects.filter(created_at__gte=since, created_at__lt=until)
        .annotate(week=TruncWeek("created_at"))
        .values("week")
        .annotate(decisions=Count("id"), with_gpc=Count("id", filter=Q(gpc=True)), **counts)
        .order_by("week")
    )
    result = []
    for row in rows:
        week = row["week"]
        week = week.date() if isinstance(week, datetime) else week
        cells = {
            group.varname: RateCell(row[f"yes_{group.varname}"], row["decisions"])
            for group in catalogue.optional
        }
        result.append(
            RateRow(week=week, decisions=row["decisions"], cells=cells, with_gpc=row["with_gpc"])
        )
    return result


def consent_log(*, start: date, end: date):
    since, until = _bounds(start, end)
    return (
        ConsentRecord.objects.filter(created_at__gte=since, created_at__lt=until)
        .order_by("created_at", "id")
        .values_list(
            "created_at",
            "method",
            "policy_version",
            "accepted",
            "declined",
            "visitor_id",
            "user_id",
            "gpc",
        )
    )


def page_visits(*, start: date, end: date) -> list[dict]:
    return list(
        PageVisitCount.objects.filter(day__gte=start, day__lte=end)
        .values("route")
        .annotate(visits=Sum("visits"), new_visitors=Sum("new_visitors"))
        .order_by("-visits", "route")
    )
