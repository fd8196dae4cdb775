"""Record the last run of every beat entry from Celery's task signals.

A signal rather than a decorator on each task: the tasks live in every app and the back office
may not be imported by them (it reads them all), and a task someone adds to the beat schedule
later is shown without anyone remembering to decorate it. A run is matched to its beat entry by
task name and arguments, so the per-category retention purges each keep their own row. A task
run by hand (the DPO's "purge now") counts as a run of its entry too: it did the entry's work.
"""

from celery.signals import task_postrun, task_prerun
from django.conf import settings
from django.utils import timezone

from backoffice.models import ScheduledRun

SUMMARY_LENGTH = 200


def beat_entry_of(task_name: str, args) -> str | None:
    """The name of the beat entry that runs ``task_name`` with ``args``, if any."""
    args = list(args or ())
    for name, entry in settings.CELERY_BEAT_SCHEDULE.items():
        if entry["task"] == task_name and list(entry.get("args", ())) == args:
            return name
    return None


@task_prerun.connect
def scheduled_run_started(sender=None, task=None, args=None, **kwargs) -> None:
    entry = beat_entry_of(task.name, args)
    if entry is None:
        return
    ScheduledRun.objects.update_or_create(
        entry=entry,
        defaults={
            "task": task.name,
            "started_at": timezone.now(),
            "finished_at": None,
            "result": ScheduledRun.Result.RUNNING,
            "summary": "",
        },
    )


@task_postrun.connect
def scheduled_run_finished(sender=None, task=None, args=None, retval=None, state=None, **kwargs):
    entry = beat_entry_of(task.name, args)
    if entry is None:
        return
    failed = state != "SUCCESS"
    # A failure's retval is the exception: its type says enough, its text may hold data.
    summary = type(retval).__name__ if failed else ("" if retval is None else str(retval))
    ScheduledRun.objects.filter(entry=entry).update(
        finished_at=timezone.now(),
        result=ScheduledRun.Result.FAILED if failed else ScheduledRun.Result.SUCCEEDED,
        summary=summary[:SUMMARY_LENGTH],
    )
