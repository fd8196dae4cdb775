"""The periods a scheduled report covers are closed UK weeks (Monday to Sunday) and calendar
months, in Europe/London whatever UTC says."""

import datetime

import pytest

from usage.periods import Period, last_closed_period

UTC = datetime.UTC
D = datetime.date


def at(*args) -> datetime.datetime:
    return datetime.datetime(*args, tzinfo=UTC)


@pytest.mark.parametrize(
    ("now", "period"),
    [
        # Monday 7 Dec 2026 00:35 UK (GMT): the week of 30 Nov to 6 Dec has just closed.
        (at(2026, 12, 7, 0, 35), Period(D(2026, 11, 30), D(2026, 12, 6))),
        # Sunday 6 Dec 23:59 UK: that week is still open; the one before is the last closed.
        (at(2026, 12, 6, 23, 59), Period(D(2026, 11, 23), D(2026, 11, 29))),
        # British Summer Time: Sunday 23:30 UTC is already Monday 00:30 in London.
        (at(2026, 6, 14, 23, 30), Period(D(2026, 6, 8), D(2026, 6, 14))),
        (at(2026, 6, 14, 22, 59), Period(D(2026, 6, 1), D(2026, 6, 7))),
        # An ISO week across the new year.
        (at(2027, 1, 4, 9, 0), Period(D(2026, 12, 28), D(2027, 1, 3))),
    ],
)
def test_the_last_closed_week_runs_monday_to_sunday_in_london(now, period):
    assert last_closed_period("weekly", now) == period


@pytest.mark.parametrize(
    ("now", "period"),
    [
        (at(2026, 12, 1, 0, 35), Period(D(2026, 11, 1), D(2026, 11, 30))),
        (at(2026, 11, 30, 23, 59), Period(D(2026, 10, 1), D(2026, 10, 31))),
        # 31 Aug 23:30 UTC is 1 Sep 00:30 in London (BST): August has closed.
        (at(2026, 8, 31, 23, 30), Period(D(2026, 8, 1), D(2026, 8, 31))),
        (at(2027, 1, 1, 0, 0), Period(D(2026, 12, 1), D(2026, 12, 31))),
        (at(2028, 3, 1, 12, 0), Period(D(2028, 2, 1), D(2028, 2, 29))),  # a leap year
    ],
)
def test_the_last_closed_month_is_the_calendar_month_before_in_london(now, period):
    assert last_closed_period("monthly", now) == period


def test_a_period_closes_at_uk_midnight_after_its_last_day():
    summer = Period(D(2026, 6, 8), D(2026, 6, 14))
    assert summer.closed_at == at(2026, 6, 14, 23, 0)  # BST
    winter = Period(D(2026, 11, 30), D(2026, 12, 6))
    assert winter.closed_at == at(2026, 12, 7, 0, 0)
    assert str(winter) == "30 Nov 2026 to 6 Dec 2026"


def test_an_unknown_cadence_is_refused():
    with pytest.raises(ValueError, match="Unknown cadence"):
        last_closed_period("daily", at(2026, 12, 7))
