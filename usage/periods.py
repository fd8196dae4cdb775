"""The periods a scheduled report covers: closed UK weeks (Monday to Sunday, as ISO 8601 has
them) and calendar months, in Europe/London whatever the server's clock says."""

import datetime
from dataclasses import dataclass

from usage.days import LONDON, uk_day_bounds

WEEKLY, MONTHLY = "weekly", "monthly"


@dataclass(frozen=True)
class Period:
    start: datetime.date
    end: datetime.date  # inclusive

    @property
    def closed_at(self) -> datetime.datetime:
        """The instant (UTC) the period's last UK day ended."""
        return uk_day_bounds(self.end)[1]

    def __str__(self) -> str:
        return f"{self.start.day} {self.start:%b %Y} to {self.end.day} {self.end:%b %Y}"


def last_closed_period(cadence: str, now: datetime.datetime) -> Period:
    """The last complete week or month before ``now`` (an aware datetime)."""
    today = now.astimezone(LONDON).date()
    if cadence == WEEKLY:
        monday = today - datetime.timedelta(days=today.weekday())
        return Period(monday - datetime.timedelta(days=7), monday - datetime.timedelta(days=1))
    if cadence == MONTHLY:
        first = today.replace(day=1)
        last = first - datetime.timedelta(days=1)
        return Period(last.replace(day=1), last)
    raise ValueError(f"Unknown cadence {cadence!r}")
