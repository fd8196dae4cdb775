"""UK calendar days: what the rollups and reports count by."""

import datetime
from zoneinfo import ZoneInfo

LONDON = ZoneInfo("Europe/London")


def uk_day_bounds(day: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    """The UTC instants a UK calendar day starts and ends at (23 or 25 hours at clock changes)."""
    start = datetime.datetime.combine(day, datetime.time.min, tzinfo=LONDON)
    end = datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time.min, LONDON)
    return start.astimezone(datetime.UTC), end.astimezone(datetime.UTC)


def uk_day(moment: datetime.datetime) -> datetime.date:
    return moment.astimezone(LONDON).date()
