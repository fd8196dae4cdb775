"""Values in words for people: one way to show a time, a date, a yes or no, a period, a code.

Every page, CSV header and package that shows data to a person goes through here, so that a
stored value (an ISO stamp with microseconds, ``True``, ``regulator``, ``2190``) never reaches
them as it is stored. Times are shown in Europe/London with the zone named (GMT or BST).
"""

import datetime
import zoneinfo
from collections.abc import Mapping

LONDON = zoneinfo.ZoneInfo("Europe/London")
EMPTY = "—"
DAYS_IN_YEAR = 365
DAYS_IN_MONTH = DAYS_IN_YEAR / 12


def is_empty(value) -> bool:
    return value is None or value == "" or value == [] or value == {}


def when(value: datetime.datetime | None) -> str:
    """A moment: "2 Dec 2026, 13:43 GMT" (or BST in summer), to the minute."""
    if value is None:
        return EMPTY
    if value.tzinfo is None:
        # A naive time in this project is UTC (USE_TZ); never guess the reader's zone.
        value = value.replace(tzinfo=datetime.UTC)
    local = value.astimezone(LONDON)
    return f"{local.day} {local:%b %Y, %H:%M} {local.tzname()}"


def day(value: datetime.date | None) -> str:
    """A date: "2 Dec 2026"."""
    if value is None:
        return EMPTY
    if isinstance(value, datetime.datetime):
        value = value.astimezone(LONDON).date()
    return f"{value.day} {value:%b %Y}"


def yes_no(value) -> str:
    if value is None:
        return EMPTY
    return "Yes" if value else "No"


def _count(number: int, unit: str) -> str:
    return f"{number:,} {unit}" if number == 1 else f"{number:,} {unit}s"


def period(days: int | None) -> str:
    """A number of days in words: "6 years", "13 months", "90 days".

    Years and months only where they are exact (a year is 365 days, a month the twelfth of a
    year, rounded to the day), so that the words never round a period the schedule keeps.
    """
    if days is None:
        return EMPTY
    if days and days % DAYS_IN_YEAR == 0:
        return _count(days // DAYS_IN_YEAR, "year")
    months = round(days / DAYS_IN_MONTH)
    if months and round(months * DAYS_IN_MONTH) == days:
        return _count(months, "month")
    return _count(days, "day")


def humanise(code: str) -> str:
    """A code nobody wrote words for, made readable: "security_logs" → "Security logs"."""
    words = str(code).replace(".", " ").replace("_", " ").replace("-", " ").split()
    return " ".join(words).capitalize() if words else EMPTY


def choice(value, labels: Mapping | None = None) -> str:
    """A stored code by its label; a code without one is still shown as words."""
    if is_empty(value):
        return EMPTY
    if labels and value in labels:
        return str(labels[value])
    return humanise(value)


def value(value, labels: Mapping | None = None) -> str:
    """Any stored value in words, by its type."""
    if is_empty(value):
        return EMPTY
    hashable = isinstance(value, str | int | bool)
    if labels is not None and hashable and (value in labels or isinstance(value, str)):
        return choice(value, labels)
    if isinstance(value, bool):
        return yes_no(value)
    if isinstance(value, datetime.datetime):
        return when(value)
    if isinstance(value, datetime.date):
        return day(value)
    if isinstance(value, int | float):
        return f"{value:,}"
    if isinstance(value, list | tuple):
        return ", ".join(str(item) for item in value) or EMPTY
    if isinstance(value, dict):
        return "; ".join(f"{humanise(key)}: {item}" for key, item in value.items())
    return str(value)
