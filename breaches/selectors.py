"""Reads of the breach register."""

from datetime import datetime

from django.db.models import QuerySet
from django.utils import timezone

from breaches.clock import breach_clock
from breaches.models import Breach, BreachEvent

STATUS_FILTERS = [("open", "Open"), ("closed", "Closed"), ("all", "All")]


def breaches_open_with_clocks(*, now: datetime | None = None, limit: int | None = None):
    """Open breaches, soonest deadline first, each with ``.clock`` set (one query).

    ``breach.clock`` is a ``breaches.clock.BreachClock``: ``deadline`` (aware_at + 72 h),
    ``hours_left`` (negative once passed), ``running`` (until reported to the ICO or decided
    not reportable), ``overdue`` (running and past the deadline) and ``label``. The
    dashboard shows these; ``breach.reference`` and ``breach.title`` name each one.
    """
    now = now or timezone.now()
    # The deadline is aware_at + 72 hours, so ordering by awareness orders by deadline.
    breaches = Breach.objects.filter(status=Breach.Status.OPEN).order_by("aware_at", "pk")
    if limit is not None:
        breaches = breaches[:limit]
    breaches = list(breaches)
    for breach in breaches:
        breach.clock = breach_clock(breach, now)
    return breaches


def breaches_for_register(status: str = "open") -> QuerySet[Breach]:
    """The register's list: open ones by deadline, closed ones newest first."""
    breaches = Breach.objects.all()
    if status in Breach.Status.values:
        breaches = breaches.filter(status=status)
    if status == Breach.Status.OPEN:
        return breaches.order_by("aware_at", "pk")
    return breaches.order_by("-aware_at", "-pk")


def breach_timeline(breach: Breach) -> QuerySet[BreachEvent]:
    return breach.events.select_related("by").order_by("at", "pk")


def breaches_running_clocks() -> QuerySet[Breach]:
    """Open breaches whose 72-hour clock still runs: the alert task's work."""
    return Breach.objects.filter(status=Breach.Status.OPEN, ico_reported_at__isnull=True).exclude(
        ico_decision=Breach.IcoDecision.NOT_REPORT
    )


def investigation_for_breach(pk: str):
    """The investigation a new breach is opened from, through the register's own foreign key
    (breaches never imports security); None if ``pk`` names none."""
    investigations = Breach._meta.get_field("investigation").related_model.objects
    return investigations.filter(pk=pk if pk.isdigit() else 0).first()
