"""Every beat entry on the DPO's dashboard with its schedule in words and its last run, recorded
from Celery's task signals whichever app the task lives in."""

import datetime

import pytest
from celery.schedules import crontab
from django.utils import timezone

from accounts.tasks import expire_invitations
from backoffice.models import ScheduledRun
from backoffice.receivers import beat_entry_of
from backoffice.schedules import schedule_in_words
from backoffice.selectors import scheduled_jobs
from retention.defaults import DEFAULT_POLICIES, purge_time
from retention.tasks import purge_retention_category
from security.tasks import clear_expired_sessions
from tests.factories import DpoFactory, SupportFactory
from usage.tasks import delete_expired_usage_exports, deliver_usage_reports

pytestmark = pytest.mark.django_db

DASHBOARD = "/backoffice/"


@pytest.mark.parametrize(
    ("schedule", "words"),
    [
        (5.0, "every 5 seconds"),
        (60, "every minute"),
        (datetime.timedelta(hours=2), "every 2 hours"),
        (crontab(minute="*/15"), "every 15 minutes"),
        (crontab(hour=3, minute=15), "daily at 03:15"),
        (crontab(hour=1, minute=0), "daily at 01:00"),
        (crontab(minute=20), "hourly at minute 20"),
        (crontab(hour=6, minute=0, day_of_week="mon"), "cron 0 6 mon * *"),
    ],
)
def test_a_schedule_reads_in_words(schedule, words):
    assert schedule_in_words(schedule) == words


def test_every_beat_entry_is_listed_with_its_schedule(settings):
    jobs = {job.entry: job for job in scheduled_jobs()}
    assert set(jobs) == set(settings.CELERY_BEAT_SCHEDULE)
    assert jobs["clear-sessions"].schedule == "daily at 04:10"
    assert jobs["suspension-alerts"].schedule == "every 15 minutes"
    assert all(job.last_run is None for job in jobs.values())


def test_a_run_of_a_beat_task_is_recorded_with_its_result():
    expire_invitations.delay()

    run = ScheduledRun.objects.get(entry="invitations-expire")
    assert run.task == "accounts.tasks.expire_invitations"
    assert run.result == ScheduledRun.Result.SUCCEEDED
    assert run.summary == "0"
    assert run.started_at <= run.finished_at <= timezone.now()


def test_a_second_run_overwrites_the_first():
    clear_expired_sessions.delay()
    first = ScheduledRun.objects.get(entry="clear-sessions")
    clear_expired_sessions.delay()

    assert ScheduledRun.objects.filter(entry="clear-sessions").count() == 1
    assert ScheduledRun.objects.get(entry="clear-sessions").started_at >= first.started_at


def test_each_retention_category_keeps_its_own_row():
    assert beat_entry_of("retention.tasks.purge_retention_category", ["invitations"]) == (
        "retention-purge-invitations"
    )
    purge_retention_category.delay("invitations")
    assert ScheduledRun.objects.filter(entry="retention-purge-invitations").exists()
    assert not ScheduledRun.objects.filter(entry="retention-purge-account").exists()


def test_a_failed_run_is_recorded_as_failed_with_the_error_type_only(monkeypatch, settings):
    settings.CELERY_TASK_EAGER_PROPAGATES = False

    def broken():
        raise RuntimeError("secret@example.test")

    monkeypatch.setattr("accounts.tasks.invitations_expire", lambda: broken(), raising=True)
    expire_invitations.apply()

    run = ScheduledRun.objects.get(entry="invitations-expire")
    assert run.result == ScheduledRun.Result.FAILED
    assert run.summary == "RuntimeError"


def test_a_task_outside_the_schedule_is_not_recorded():
    assert beat_entry_of("accounts.tasks.send_invitation", [1]) is None


def test_the_dpo_sees_every_job_and_its_last_run_on_the_dashboard(verified_client, settings):
    clear_expired_sessions.delay()

    page = verified_client(DpoFactory()).get(DASHBOARD).content.decode()

    assert "Scheduled jobs" in page
    for entry in settings.CELERY_BEAT_SCHEDULE:
        assert f"<code>{entry}</code>" in page
    assert "daily at 04:10" in page
    assert "Succeeded" in page
    assert "Not run yet" in page


def test_support_does_not_see_the_scheduled_jobs(verified_client):
    page = verified_client(SupportFactory()).get(DASHBOARD).content.decode()
    assert "Scheduled jobs" not in page


def test_the_usage_report_and_export_jobs_are_listed_and_their_runs_recorded(
    verified_client, settings
):
    jobs = {job.entry: job for job in scheduled_jobs()}
    assert jobs["usage-deliver-reports"].schedule == "hourly at minute 35"
    assert jobs["usage-deliver-reports"].task == "usage.tasks.deliver_usage_reports"
    assert jobs["usage-delete-expired-exports"].schedule == "hourly at minute 50"

    deliver_usage_reports.delay()
    delete_expired_usage_exports.delay()

    for entry in ("usage-deliver-reports", "usage-delete-expired-exports"):
        run = ScheduledRun.objects.get(entry=entry)
        assert (run.result, run.summary) == (ScheduledRun.Result.SUCCEEDED, "0")
    page = verified_client(DpoFactory()).get(DASHBOARD).content.decode()
    assert "hourly at minute 35" in page
    assert "hourly at minute 50" in page


def test_nightly_purges_run_five_minutes_apart_from_01_00_and_never_past_minute_59(settings):
    assert [purge_time(n) for n in (0, 1, 11, 12, 13, 24)] == [
        (1, 0),
        (1, 5),
        (1, 55),
        (2, 0),
        (2, 5),
        (3, 0),
    ]
    times = []
    for name, entry in settings.CELERY_BEAT_SCHEDULE.items():
        if name.startswith("retention-purge-"):
            schedule = entry["schedule"]
            [hour], [minute] = schedule.hour, schedule.minute
            times.append((hour, minute))
            assert 0 <= minute <= 59
            assert entry["options"]["expires"] < 24 * 60 * 60
    assert len(times) == len(DEFAULT_POLICIES) >= 13
    assert len(set(times)) == len(times)
    assert (2, 0) in times  # the thirteenth category
