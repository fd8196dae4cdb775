"""The 72-hour clock: from awareness to the ICO report (UK GDPR Article 33(1))."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.utils import timezone

from breaches.models import Breach

# Under a day left, the clock turns amber: the DPO has to act today.
DUE_SOON = timedelta(hours=24)


@dataclass(frozen=True)
class BreachClock:
    deadline: datetime
    # Negative once the deadline has passed.
    hours_left: float
    # Running until the breach is reported to the ICO or decided not reportable.
    running: bool
    overdue: bool
    reported_at: datetime | None
    reported_late: bool
    not_reportable: bool

    @property
    def label(self) -> str:
        """The same words on every page: "41 h 12 min left", "Overdue by 3 h 5 min",
        "Reported to the ICO", "Reported to the ICO late", "Not reportable" or "Closed"."""
        if self.running:
            minutes = int(abs(self.hours_left) * 60)
            span = f"{minutes // 60} h {minutes % 60} min"
            return f"Overdue by {span}" if self.overdue else f"{span} left"
        if self.reported_at is not None:
            return "Reported to the ICO late" if self.reported_late else "Reported to the ICO"
        return "Not reportable" if self.not_reportable else "Closed"

    @property
    def tone(self) -> str:
        """The chip's colour: red when overdue or reported late, amber under 24 hours, blue
        while running, green once reported in time, grey otherwise."""
        if self.overdue or self.reported_late:
            return "overdue"
        if self.running:
            return "due-soon" if self.hours_left * 3600 <= DUE_SOON.total_seconds() else "running"
        return "visible" if self.reported_at is not None else "neutral"


def breach_clock(breach: Breach, now: datetime | None = None) -> BreachClock:
    now = now or timezone.now()
    deadline = breach.deadline
    hours_left = (deadline - now).total_seconds() / 3600
    running = breach.clock_running
    return BreachClock(
        deadline=deadline,
        hours_left=hours_left,
        running=running,
        overdue=running and hours_left < 0,
        reported_at=breach.ico_reported_at,
        reported_late=breach.reported_late,
        not_reportable=breach.ico_decision == Breach.IcoDecision.NOT_REPORT,
    )
