from django.db import models


class ScheduledRun(models.Model):
    """The last run of one beat entry (settings.CELERY_BEAT_SCHEDULE), for the dashboard.

    One row per entry, overwritten at each run: the dashboard asks "when did this last run and
    how did it end", not for a history (the tasks' own records keep that where it matters).
    """

    class Result(models.TextChoices):
        RUNNING = "running", "Running"
        SUCCEEDED = "succeeded", "Succeeded"
        FAILED = "failed", "Failed"

    entry = models.CharField(max_length=100, unique=True)
    task = models.CharField(max_length=200)
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    result = models.CharField(max_length=9, choices=Result.choices)
    summary = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["entry"]

    def __str__(self) -> str:
        return f"{self.entry} at {self.started_at:%Y-%m-%d %H:%M}"
