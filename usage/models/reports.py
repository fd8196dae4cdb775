"""Scheduled usage reports (subscriptions and their deliveries) and CSV exports."""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone

from accounts.models import Organisation


class Grouping(models.TextChoices):
    """How a report groups its rows: the groupings the console report offers."""

    USER = "user", "User"
    FEATURE = "feature", "Feature"
    PURPOSE = "purpose", "Purpose"
    DAY = "day", "Day"


class ReportSubscription(models.Model):
    """A client admin's standing order for the organisation's usage report, each closed week
    or month, to chosen recipients. Cancelled, it stays with its deliveries."""

    class Cadence(models.TextChoices):
        WEEKLY = "weekly", "Weekly (Monday to Sunday)"
        MONTHLY = "monthly", "Monthly (calendar month)"

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="report_subscriptions"
    )
    cadence = models.CharField(max_length=10, choices=Cadence.choices)
    grouping = models.CharField(max_length=10, choices=Grouping.choices, default=Grouping.USER)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.get_cadence_display()} by {self.grouping}"

    @property
    def is_active(self) -> bool:
        return self.cancelled_at is None


class ReportSubscriptionRecipient(models.Model):
    """Someone a subscription's reports go to: a client admin of the organisation or of one of
    its group companies, checked again at every delivery."""

    subscription = models.ForeignKey(
        ReportSubscription, on_delete=models.CASCADE, related_name="recipients"
    )
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["subscription", "user"], name="usage_subscription_recipient_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.subscription_id} to {self.user_id}"


class ReportDelivery(models.Model):
    """One period's report of a subscription, built once from the rollups: its figures are
    what the recipients were sent a link to, whatever the rollups say later."""

    subscription = models.ForeignKey(
        ReportSubscription, on_delete=models.CASCADE, related_name="deliveries"
    )
    # The subscription's organisation, kept here so that tenancy and legal holds need no join.
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    period_start = models.DateField()
    period_end = models.DateField()
    grouping = models.CharField(max_length=10, choices=Grouping.choices)
    built_at = models.DateTimeField(default=timezone.now)
    figures = models.JSONField(default=dict)

    class Meta:
        ordering = ["-period_start"]
        constraints = [
            models.UniqueConstraint(
                fields=["subscription", "period_start"], name="usage_delivery_once_a_period"
            )
        ]

    def __str__(self) -> str:
        return f"{self.period_start} to {self.period_end} by {self.grouping}"


class ReportDeliverySubject(models.Model):
    """A person whose figures a delivery holds, so the data map can find them."""

    delivery = models.ForeignKey(ReportDelivery, on_delete=models.CASCADE, related_name="subjects")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )

    def __str__(self) -> str:
        return f"{self.delivery_id}: {self.user_id}"


class ReportDeliveryRecipient(models.Model):
    """Who was sent a delivery, when the e-mail went, and when they first opened it."""

    delivery = models.ForeignKey(
        ReportDelivery, on_delete=models.CASCADE, related_name="recipients"
    )
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    emailed_at = models.DateTimeField(null=True, blank=True)
    first_opened_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["delivery", "user"], name="usage_delivery_recipient_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.delivery_id} to {self.user_id}"


class UsageExport(models.Model):
    """A usage report as a CSV file, built by a worker and kept in the "exports" storage for
    24 hours; after that the file is deleted and the record stays, expired."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        BUILDING = "building", "Building"
        READY = "ready", "Ready"
        FAILED = "failed", "Failed"
        EXPIRED = "expired", "Expired"

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    requested_at = models.DateTimeField(default=timezone.now)
    start = models.DateField()
    end = models.DateField()
    grouping = models.CharField(max_length=10, choices=Grouping.choices)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0)
    file_name = models.CharField(max_length=200, blank=True)
    rows = models.PositiveIntegerField(default=0)
    ready_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    error = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-requested_at"]

    def __str__(self) -> str:
        return f"{self.start} to {self.end} by {self.grouping} ({self.status})"

    def get_absolute_url(self) -> str:
        return reverse("usage:export", args=[self.pk])

    @property
    def download_name(self) -> str:
        return f"usage-{self.start}-{self.end}-by-{self.grouping}.csv"
