"""The beat schedule's one rule: a run not started before the next is due is dropped, so a
backlog after an outage never runs the same task twice in a row."""

import datetime

from celery.schedules import crontab

from config.beat import BEAT_SCHEDULE


def shortest_gap_seconds(schedule) -> float:
    """The least time between two runs of ``schedule`` (seconds, or a crontab over a week)."""
    if not isinstance(schedule, crontab):
        return float(schedule)
    start = datetime.datetime(2026, 12, 7, tzinfo=datetime.UTC)  # a Monday
    minutes = (start + datetime.timedelta(minutes=n) for n in range(7 * 24 * 60))
    runs = [
        moment
        for moment in minutes
        if moment.minute in schedule.minute
        and moment.hour in schedule.hour
        and moment.isoweekday() % 7 in schedule.day_of_week
    ]
    following = [*runs[1:], runs[0] + datetime.timedelta(days=7)]
    gaps = [later - earlier for earlier, later in zip(runs, following, strict=True)]
    return min(gaps).total_seconds()


def test_every_entry_expires_before_its_next_run():
    late = {
        name: (entry["options"]["expires"], shortest_gap_seconds(entry["schedule"]))
        for name, entry in BEAT_SCHEDULE.items()
        if not 0 < entry["options"]["expires"] <= shortest_gap_seconds(entry["schedule"])
    }
    assert late == {}


def test_the_rule_is_checked_against_the_real_gaps():
    assert shortest_gap_seconds(crontab(minute="*/15")) == 15 * 60
    assert shortest_gap_seconds(crontab(minute=25)) == 60 * 60
    assert shortest_gap_seconds(crontab(hour=3, minute=15)) == 24 * 60 * 60
    assert shortest_gap_seconds(30.0) == 30
