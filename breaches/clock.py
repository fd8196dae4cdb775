"""The 72-hour clock: from awareness to the ICO report (UK GDPR Article 33(1))."""

from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone

from breaches.models import Breach


@dataclass(frozen=True)
class BreachClock:
    deadline: datetime
    # Negative once the deadline has passed.
    hours_left: float
    # Running until the breach is reported to the ICO or decided not reportable.
    running: bool
    overdue: bool
    reported_late: bool

    @property
    def label(self) -> str:
        """ "41 h 12 min left", "overdue by 3 h 5 min", or how the clock stopped."""
        if not self.running:
            return "Reported late" if self.reported_late else "Stopped"
        minutes = int(abs(self.hours_left) * 60)
        span = f"{minutes // 60} h {minutes % 60} min"
        return f"overdue by {span}" if self.overdue else f"{span} left"


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
        reported_late=breach.reported_late,
    )
