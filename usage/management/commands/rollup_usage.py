"""Re-roll a range of UK days from the events: for repairs, after a restore or a backfill."""

import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from usage.services import MAX_AGE, usage_rollup_day

BAR_WIDTH = 30


def _date(value: str, option: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"{option} {value!r} is not a date: give YYYY-MM-DD.") from None


class Command(BaseCommand):
    help = "Recompute the daily usage rollups of every UK day from --from to --to, inclusive."

    def add_arguments(self, parser):
        parser.add_argument("--from", dest="start", required=True, help="first day, YYYY-MM-DD")
        parser.add_argument("--to", dest="end", required=True, help="last day, YYYY-MM-DD")

    def handle(self, *args, start, end, **options):
        first, last = _date(start, "--from"), _date(end, "--to")
        today = timezone.localdate()
        if first > last:
            raise CommandError(f"--from {first} comes after --to {last}.")
        if last > today:
            raise CommandError(f"--to {last} lies in the future (today is {today}).")
        if first < today - datetime.timedelta(days=MAX_AGE.days + 1):
            raise CommandError(f"--from {first} is older than {MAX_AGE.days} days: no events.")
        days = (last - first).days + 1
        rows = 0
        for done in range(1, days + 1):
            day = first + datetime.timedelta(days=done - 1)
            rows += usage_rollup_day(day=day)
            filled = BAR_WIDTH * done // days
            self.stderr.write(
                f"\r[{'#' * filled}{'.' * (BAR_WIDTH - filled)}] {done}/{days} days ({day})",
                ending="\n" if done == days else "",
            )
            self.stderr.flush()
        self.stdout.write(f"Rolled up {days} days, {first} to {last}: {rows} rollup rows.")
