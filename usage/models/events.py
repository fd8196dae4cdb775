"""Usage events, their daily rollups, and the machinery of logging them."""

from django.conf import settings
from django.db import models

from accounts.models import Organisation


class Action(models.TextChoices):
    LOGIN = "login", "Login"
    LOGOUT = "logout", "Logout"
    LOGIN_FAILED = "login_failed", "Failed login"
    PAGE_VIEW = "page_view", "Page view"
    API_CALL = "api_call", "API call"
    EXPORT = "export", "Export"


class UsagePurpose(models.Model):
    """A purpose an organisation reports usage under, and the features that serve it."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="usage_purposes"
    )
    code = models.SlugField(max_length=60)
    label = models.CharField(max_length=120)
    features = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["label"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "code"], name="usage_purpose_unique")
        ]

    def __str__(self) -> str:
        return self.label


class UsageEvent(models.Model):
    """One thing a person did in the product.

    On PostgreSQL the table is partitioned by month of ``occurred_at`` (migration 0002) and its
    real primary key is (organisation_id, occurred_at, id) (migration 0009): ready to be
    distributed by organisation on Citus (docs/scaling.md), and the index every report, rollup
    and erasure reads by. Django keeps ``id`` as the key. Rows are never cascaded from users or
    organisations: erasure anonymises them through the data map.
    """

    id = models.BigAutoField(primary_key=True)
    occurred_at = models.DateTimeField()
    organisation = models.ForeignKey(
        Organisation, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    session_hash = models.CharField(max_length=64, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    user_agent_family = models.CharField(max_length=60, blank=True)
    action = models.CharField(max_length=60)
    feature = models.CharField(max_length=100, blank=True)
    path = models.CharField(max_length=300, blank=True)
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    duration_ms = models.PositiveIntegerField(null=True, blank=True)
    purpose = models.CharField(max_length=60, blank=True)
    event_id = models.CharField(max_length=100, blank=True)

    class Meta:
        # (organisation, occurred_at) leads the primary key on PostgreSQL; SQLite keeps an
        # index of its own (usage migration 0009).
        indexes = [models.Index(fields=["user", "occurred_at"], name="usage_event_user_time")]

    def __str__(self) -> str:
        return f"{self.occurred_at:%Y-%m-%d %H:%M} {self.action} {self.feature}"


class IngestedEventId(models.Model):
    """Client event ids already stored, so a client can retry a batch safely.

    A partitioned table cannot hold a unique constraint without the partition key, so
    duplicate detection lives here; the key itself is the only index, to keep ingestion fast.
    """

    pk = models.CompositePrimaryKey("organisation", "event_id")
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        db_constraint=False,
        db_index=False,
        related_name="+",
    )
    event_id = models.CharField(max_length=100)
    received_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.event_id


class Rollup(models.Model):
    """What every daily rollup holds: a UK day, an organisation, and its totals.

    On PostgreSQL a rollup table's real primary key is (organisation_id, date, id) (usage
    migration 0009), ready for Citus; Django keeps ``id`` as the key.
    """

    date = models.DateField()
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        db_constraint=False,
        db_index=False,  # each rollup's (organisation, date) index leads with it
        related_name="+",
    )
    event_count = models.PositiveIntegerField()
    total_duration_ms = models.BigIntegerField()

    class Meta:
        abstract = True


class DailyUsage(Rollup):
    """Usage rolled up per UK day, organisation, user, feature and purpose. Reports read this."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    feature = models.CharField(max_length=100, blank=True)
    purpose = models.CharField(max_length=60, blank=True)
    first_seen = models.DateTimeField()
    last_seen = models.DateTimeField()

    class Meta:
        # (organisation, date) leads the primary key on PostgreSQL; SQLite keeps an index of its
        # own (usage migration 0009).
        indexes = [
            models.Index(fields=["date"], name="usage_daily_date"),
            models.Index(fields=["user", "date"], name="usage_daily_user_date"),
        ]

    def __str__(self) -> str:
        return f"{self.date} {self.organisation_id} {self.feature}"


class DailyUserUsage(Rollup):
    """DailyUsage summed over features: one row per person and UK day. By-user reports read it."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )

    class Meta:
        # Covering (on PostgreSQL): a report reads its rows from the index alone.
        indexes = [
            models.Index(
                fields=["organisation", "date"],
                include=["user", "event_count", "total_duration_ms"],
                name="usage_user_day_org_date",
            )
        ]

    def __str__(self) -> str:
        return f"{self.date} {self.user_id}"


class DailyFeatureUsage(Rollup):
    """DailyUsage summed over people: one row per feature, purpose and UK day."""

    feature = models.CharField(max_length=100, blank=True)
    purpose = models.CharField(max_length=60, blank=True)
    users = models.PositiveIntegerField(help_text="Distinct people that day.")

    class Meta:
        indexes = [
            models.Index(
                fields=["organisation", "date"],
                include=["feature", "purpose", "event_count", "total_duration_ms", "users"],
                name="usage_feature_day_org_date",
            )
        ]

    def __str__(self) -> str:
        return f"{self.date} {self.feature}"


class BufferedBatch(models.Model):
    """A batch drained from the Redis buffer and written, so a retried drain never writes twice."""

    key = models.CharField(max_length=100, unique=True)
    events = models.PositiveIntegerField()
    written_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.key


class DirectWriteCount(models.Model):
    """Events written straight to the database because the buffer was down, per day."""

    date = models.DateField(unique=True)
    events = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.date}: {self.events}"


class DeadLetter(models.Model):
    """An event the database refused (or that could not be read), set aside so that the
    rest of its batch is written and the drain never stalls. Never retried; kept per the
    ``usage_dead_letters`` retention policy, for the team to see what went wrong."""

    failed_at = models.DateTimeField(auto_now_add=True)
    # Where it came from: the buffer batch's key, or "request" / "direct" for a direct write.
    source = models.CharField(max_length=100)
    reason = models.CharField(max_length=300)
    organisation = models.ForeignKey(
        Organisation,
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
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
    # The event as JSON, NUL and lone surrogates escaped; or the unreadable item as text.
    payload = models.TextField()

    def __str__(self) -> str:
        return f"{self.failed_at:%Y-%m-%d %H:%M} {self.reason}"


class UsageDayTouched(models.Model):
    """A UK day before today that a write added events to, for one organisation: its rollups
    are stale until the rollup task re-rolls them and deletes the mark.

    Written in the transaction that writes the events, so a mark exists exactly when its events
    do and survives any crash before the re-roll. Append-only (no unique key): concurrent
    batches never wait on each other's mark; the rollup reads them grouped. On PostgreSQL the
    real primary key is (organisation_id, id) (usage migration 0009), to sit with the events.
    """

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, db_constraint=False, related_name="+"
    )
    day = models.DateField()
    marked_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.day} {self.organisation_id}"
