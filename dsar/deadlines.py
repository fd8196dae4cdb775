"""Statutory deadlines for rights requests, as the ICO explains them for the UK GDPR.

Due one calendar month after the start date: the same day number in the next month, or that
month's last day when it has no such day; moved by the days the clock was paused; extended by
up to two further months; and moved to the next working day when it falls on a weekend or an
England and Wales bank holiday.
"""

import calendar
import datetime
from functools import lru_cache

import holidays

MAX_EXTENSION_MONTHS = 2


def add_months(start: datetime.date, months: int) -> datetime.date:
    """The same day number ``months`` later, or the last day of that month if it is shorter."""
    index = start.year * 12 + start.month - 1 + months
    year, month = index // 12, index % 12 + 1
    return datetime.date(year, month, min(start.day, calendar.monthrange(year, month)[1]))


@lru_cache(maxsize=64)
def _bank_holidays(year: int) -> holidays.HolidayBase:
    return holidays.country_holidays("GB", subdiv="ENG", years=year)


def is_working_day(day: datetime.date) -> bool:
    return day.weekday() < 5 and day not in _bank_holidays(day.year)


def next_working_day(day: datetime.date) -> datetime.date:
    """``day`` itself when it is a working day, else the first working day after it."""
    while not is_working_day(day):
        day += datetime.timedelta(days=1)
    return day


def due_date(
    start: datetime.date, *, paused_days: int = 0, extension_months: int = 0
) -> datetime.date:
    if not 0 <= extension_months <= MAX_EXTENSION_MONTHS:
        raise ValueError(f"An extension is 0 to {MAX_EXTENSION_MONTHS} further months.")
    calendar_due = add_months(start, 1 + extension_months)
    return next_working_day(calendar_due + datetime.timedelta(days=paused_days))


def original_due_date(start: datetime.date, *, paused_days: int = 0) -> datetime.date:
    """The due date before any extension: an extension must be decided by then."""
    return due_date(start, paused_days=paused_days)


# --- Complaints (Data Protection Act 2018 s.164A, inserted by the Data (Use and Access) Act 2025)

ACKNOWLEDGEMENT_DAYS = 30


def acknowledgement_due_date(received_on: datetime.date) -> datetime.date:
    """The last day to acknowledge a complaint: "within the period of 30 days beginning when
    the complaint is received" (s.164A(3)), the day of receipt counting as the first.

    Calendar days and never moved to a working day, unlike the rights deadline: the ICO allows
    that move for the one-month limit only, and a later date could pass the 30 days. Nothing
    pauses this clock: asking the complainant a question does not delay the acknowledgement.
    """
    return received_on + datetime.timedelta(days=ACKNOWLEDGEMENT_DAYS - 1)
