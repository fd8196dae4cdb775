"""Due dates as the ICO explains them: one calendar month, end-of-month, working days."""

import datetime

import pytest

from dsar.deadlines import due_date, next_working_day

D = datetime.date


@pytest.mark.parametrize(
    ("start", "due", "why"),
    [
        (D(2026, 1, 31), D(2026, 3, 2), "no 31 Feb: 28 Feb 2026 is a Saturday, so Monday 2 Mar"),
        (D(2027, 1, 31), D(2027, 3, 1), "28 Feb 2027 is a Sunday, so Monday 1 Mar"),
        (D(2028, 1, 31), D(2028, 2, 29), "a leap year: 29 Feb 2028, a Tuesday"),
        (D(2026, 1, 30), D(2026, 3, 2), "30 Jan: no 30 Feb, 28 Feb is a Saturday"),
        (D(2028, 1, 29), D(2028, 2, 29), "29 Jan in a leap year: 29 Feb"),
        (D(2026, 1, 28), D(2026, 3, 2), "28 Jan: 28 Feb 2026 is a Saturday"),
        (D(2026, 3, 7), D(2026, 4, 7), "an ordinary month: the same day number"),
        (D(2026, 4, 30), D(2026, 6, 1), "30 May 2026 is a Saturday: Monday 1 Jun"),
        (D(2026, 2, 25), D(2026, 3, 25), "February to March keeps the day number"),
        (D(2026, 11, 25), D(2026, 12, 29), "25 Dec, then Boxing Day (observed 28 Dec) pass"),
        (D(2026, 7, 31), D(2026, 9, 1), "31 Aug 2026 is the Late Summer bank holiday"),
        (D(2026, 3, 6), D(2026, 4, 7), "Easter Monday 6 Apr 2026 is a bank holiday"),
        (D(2026, 3, 3), D(2026, 4, 7), "Good Friday 3 Apr, then the weekend and Easter Monday"),
    ],
)
def test_due_dates(start, due, why):
    assert due_date(start) == due, why


def test_a_pause_moves_the_due_date_by_the_days_paused():
    # 7 Mar 2026 + 1 month = 7 Apr; paused 10 days = 17 Apr (a Friday).
    assert due_date(D(2026, 3, 7), paused_days=10) == D(2026, 4, 17)


def test_an_extension_adds_calendar_months():
    assert due_date(D(2026, 3, 7), extension_months=2) == D(2026, 6, 8)  # 7 Jun is a Sunday
    with pytest.raises(ValueError):
        due_date(D(2026, 3, 7), extension_months=3)


def test_scottish_bank_holidays_do_not_count():
    # 2 Jan is a bank holiday in Scotland only; 2 Jan 2026 is a Friday and a working day here.
    assert next_working_day(D(2026, 1, 2)) == D(2026, 1, 2)
