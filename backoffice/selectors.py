"""The dashboard's figures, each read by the selectors of the app that owns the data.

Every figure is one aggregate or one short, bounded list: the dashboard runs the same
handful of queries with ten rows or ten million.
"""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Count, Q
from django.utils import timezone

from audit.selectors import audit_latest_verification
from backoffice.models import ScheduledRun
from backoffice.schedules import schedule_in_words
from breaches.selectors import breaches_open_with_clocks
from common.db_routing import heavy_reads
from cookies.catalogue import catalogue_get
from cookies.selectors import consent_rates
from dsar.models import State
from dsar.selectors import (
    complaints_acknowledgement_due_soon,
    complaints_acknowledgement_overdue,
    complaints_open,
    complaints_outcome_overdue,
    complaints_to_acknowledge,
    request_counts_by_state,
    requests_due_soon,
    requests_overdue,
)
from enquiries.selectors import enquiry_figures
from retention.models import PurgeRun
from retention.selectors import recent_runs
from security.models import Investigation
from security.selectors import security_check_latest
from usage.selectors import usage_logging_health

RECENT_PURGE_RUNS = 5
PURGE_FAILURE_DAYS = 30
CONSENT_DAYS = 30
DASHBOARD_BREACHES = 10


@dataclass(frozen=True)
class RequestFigures:
    by_state: list[tuple[str, str, int]]  # (state, label, count)
    open_total: int
    due_soon: int
    overdue: int


def request_figures() -> RequestFigures:
    """Three queries: the counts by state, then the due-soon and the overdue counts."""
    counts = request_counts_by_state()
    today = timezone.localdate()
    open_states = {
        State.SUBMITTED,
        State.AWAITING_VERIFICATION,
        State.VERIFIED,
        State.IN_PROGRESS,
        State.AWAITING_REQUESTER,
    }
    return RequestFigures(
        by_state=[(state.value, state.label, counts[state.value]) for state in State],
        open_total=sum(n for state, n in counts.items() if state in open_states),
        due_soon=requests_due_soon(today).count(),
        overdue=requests_overdue(today).count(),
    )


@dataclass(frozen=True)
class ComplaintFigures:
    open: int
    to_acknowledge: int
    acknowledgement_overdue: int
    acknowledgement_due_soon: int
    outcome_overdue: int


def complaint_figures() -> ComplaintFigures:
    """One query: open complaints, those awaiting acknowledgement (overdue, or due within
    7 days) and those whose outcome is overdue, each by dsar.selectors' own rule."""
    today = timezone.localdate()

    def among(selection) -> Q:
        return Q(pk__in=selection.values("pk"))

    figures = complaints_open().aggregate(
        open=Count("pk"),
        to_acknowledge=Count("pk", filter=among(complaints_to_acknowledge())),
        acknowledgement_overdue=Count(
            "pk", filter=among(complaints_acknowledgement_overdue(today))
        ),
        acknowledgement_due_soon=Count(
            "pk", filter=among(complaints_acknowledgement_due_soon(today))
        ),
        outcome_overdue=Count("pk", filter=among(complaints_outcome_overdue(today))),
    )
    return ComplaintFigures(**figures)


@dataclass(frozen=True)
class InvestigationFigures:
    open: int
    overdue_reviews: int


def investigation_figures() -> InvestigationFigures:
    """One query: open investigations, and those whose provisional suspension awaits review
    past its deadline (the rule of security.selectors.investigations_for_queue)."""
    overdue = Q(account_suspended=True, reviewed_at__isnull=True, review_due_at__lt=timezone.now())
    figures = Investigation.objects.filter(status=Investigation.Status.OPEN).aggregate(
        open=Count("pk"), overdue_reviews=Count("pk", filter=overdue)
    )
    return InvestigationFigures(**figures)


@dataclass(frozen=True)
class PurgeFigures:
    recent: list[PurgeRun]
    failures: int  # failed real purges in the last PURGE_FAILURE_DAYS days
    since: datetime.datetime


def purge_figures() -> PurgeFigures:
    """Two queries: the latest runs, and the count of recent failures."""
    since = timezone.now() - datetime.timedelta(days=PURGE_FAILURE_DAYS)
    failures = PurgeRun.objects.filter(status=PurgeRun.Status.FAILED, started_at__gte=since).count()
    return PurgeFigures(recent=recent_runs(RECENT_PURGE_RUNS), failures=failures, since=since)


@dataclass(frozen=True)
class ConsentFigure:
    label: str
    accepted: int
    decisions: int

    @property
    def percent(self) -> float | None:
        return round(100 * self.accepted / self.decisions, 1) if self.decisions else None


def consent_figures() -> tuple[datetime.date, datetime.date, list[ConsentFigure]]:
    """The acceptance of each optional cookie category over the last CONSENT_DAYS days:
    cookies.selectors.consent_rates' one grouped query (weeks summed here), plus the
    catalogue, which is cached."""
    end = timezone.localdate()
    start = end - datetime.timedelta(days=CONSENT_DAYS - 1)
    catalogue = catalogue_get()
    rows = consent_rates(start=start, end=end, catalogue=catalogue)
    decisions = sum(row.decisions for row in rows)
    figures = [
        ConsentFigure(
            label=group.name,
            accepted=sum(row.cells[group.varname].accepted for row in rows),
            decisions=decisions,
        )
        for group in catalogue.optional
    ]
    return start, end, figures


@dataclass(frozen=True)
class ScheduledJob:
    entry: str
    task: str
    schedule: str
    last_run: ScheduledRun | None


def scheduled_jobs() -> list[ScheduledJob]:
    """Every beat entry with its schedule in words and its last run (one query)."""
    runs = {run.entry: run for run in ScheduledRun.objects.all()}
    return [
        ScheduledJob(
            entry=name,
            task=entry["task"],
            schedule=schedule_in_words(entry["schedule"]),
            last_run=runs.get(name),
        )
        for name, entry in settings.CELERY_BEAT_SCHEDULE.items()
    ]


@heavy_reads
def dashboard_figures(*, is_dpo: bool) -> dict:
    """Every figure of the dashboard, read in one go (on the replica, when one is configured):
    support's, and with ``is_dpo`` the DPO's as well. Lists come whole, never lazy."""
    figures = {
        "requests": request_figures(),
        "complaints": complaint_figures(),
        "investigations": investigation_figures(),
        "enquiries": enquiry_figures(),
        "security_check": security_check_latest(),
    }
    if is_dpo:
        consent_start, consent_end, consent = consent_figures()
        # One row more than is shown tells whether there are more, without a COUNT.
        breaches = list(breaches_open_with_clocks(limit=DASHBOARD_BREACHES + 1))
        figures |= {
            "breaches": breaches[:DASHBOARD_BREACHES],
            "more_breaches": len(breaches) > DASHBOARD_BREACHES,
            "purges": purge_figures(),
            "consent": consent,
            "consent_start": consent_start,
            "consent_end": consent_end,
            "verification": audit_latest_verification(),
            "usage_logging": usage_logging_health(),
            "scheduled_jobs": scheduled_jobs(),
        }
    return figures
