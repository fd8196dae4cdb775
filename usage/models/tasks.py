"""Task sessions: the usage events of one person on one feature, run together."""

from django.conf import settings
from django.db import models

from accounts.models import Organisation


class TaskSession(models.Model):
    """One task: consecutive events of one person on one feature, none further apart than
    ``USAGE_TASK_IDLE_MINUTES``, within one UK day. Rebuilt with the day's rollups
    (usage.services.task_sessions), and read only in aggregate. On PostgreSQL the real primary
    key is (organisation_id, date, id) (usage migration 0009); Django keeps ``id``."""

    date = models.DateField()
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        db_constraint=False,
        db_index=False,  # the (organisation, date) index leads with it
        related_name="+",
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    feature = models.CharField(max_length=100, blank=True)
    started_at = models.DateTimeField()
    event_count = models.PositiveIntegerField()
    # First event to last, and never less than USAGE_TASK_MINIMUM_SECONDS.
    duration_ms = models.BigIntegerField()
    # Downloads and exports among the task's events (usage.analytics.GATHERING_ACTIONS).
    gathered = models.PositiveIntegerField(default=0)

    class Meta:
        indexes = [
            models.Index(
                fields=["organisation", "date"],
                include=["feature", "user", "duration_ms", "gathered"],
                name="usage_task_org_date",
            ),
            models.Index(
                fields=["date"],
                include=["feature", "organisation", "user", "duration_ms", "gathered"],
                name="usage_task_date",
            ),
            models.Index(fields=["user", "date"], name="usage_task_user_date"),
        ]

    def __str__(self) -> str:
        return f"{self.date} {self.feature}"
