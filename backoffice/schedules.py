"""The beat schedule in words, for the dashboard and the README's "Scheduled jobs" table."""

from datetime import timedelta

from celery.schedules import crontab


def _every(number: int, unit: str) -> str:
    return f"every {unit}" if number == 1 else f"every {number} {unit}s"


def _seconds_in_words(seconds: float) -> str:
    seconds = int(seconds)
    if seconds % 3600 == 0:
        return _every(seconds // 3600, "hour")
    if seconds % 60 == 0:
        return _every(seconds // 60, "minute")
    return _every(seconds, "second")


def _is_number(field) -> bool:
    return isinstance(field, int) or (isinstance(field, str) and field.isdigit())


def schedule_in_words(schedule) -> str:
    """ "every 15 minutes", "daily at 03:15"; a crontab this does not know is shown as written."""
    if isinstance(schedule, int | float):
        return _seconds_in_words(schedule)
    if isinstance(schedule, timedelta):
        return _seconds_in_words(schedule.total_seconds())
    if not isinstance(schedule, crontab):
        return str(schedule)
    minute, hour = schedule._orig_minute, schedule._orig_hour
    rest = (
        schedule._orig_day_of_week,
        schedule._orig_day_of_month,
        schedule._orig_month_of_year,
    )
    if all(field == "*" for field in rest):
        if _is_number(minute) and _is_number(hour):
            return f"daily at {int(hour):02d}:{int(minute):02d}"
        if hour == "*" and isinstance(minute, str) and minute.startswith("*/"):
            return _every(int(minute[2:]), "minute")
        if hour == "*" and _is_number(minute):
            return f"hourly at minute {int(minute)}"
    return f"cron {minute} {hour} {' '.join(str(f) for f in rest)}"
