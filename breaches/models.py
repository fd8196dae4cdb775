"""The breach register: one record per personal data breach, its decisions and its alerts.

UK GDPR Article 33: a breach likely to risk people's rights is reported to the ICO within 72
hours of becoming aware of it, and every breach is documented (facts, effects, remedial
action) whether reported or not. Article 34: people are told when the risk to them is high.
"""

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone

# The ICO's deadline runs from awareness, not from when the breach happened.
REPORT_WINDOW = timedelta(hours=72)


class DataCategory(models.TextChoices):
    """The categories of personal data the ICO's breach report form asks about."""

    IDENTIFIERS = "identifiers", "Basic personal identifiers (name, contact details)"
    LOGIN = "login", "Identification data (usernames, passwords, MFA)"
    USAGE = "usage", "Product usage and activity logs"
    LOCATION = "location", "Location data (IP addresses)"
    FINANCIAL = "financial", "Economic and financial data"
    DOCUMENTS = "documents", "Official documents"
    SPECIAL = "special", "Special category data (health, beliefs, biometrics…)"
    CRIMINAL = "criminal", "Criminal convictions and offences"
    NOT_KNOWN = "not_known", "Not yet known"
    OTHER = "other", "Other (see the description)"


class PeopleCategory(models.TextChoices):
    """The categories of people (data subjects) the ICO's form asks about."""

    END_USERS = "end_users", "End users (employees of our clients)"
    CLIENT_ADMINS = "client_admins", "Client administrators"
    REQUESTERS = "requesters", "Members of the public (requesters, enquirers)"
    STAFF = "staff", "Our own staff"
    CHILDREN = "children", "Children"
    VULNERABLE = "vulnerable", "Vulnerable adults"
    NOT_KNOWN = "not_known", "Not yet known"
    OTHER = "other", "Other (see the description)"


class Breach(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", "Open"
        CLOSED = "closed", "Closed"

    class IcoDecision(models.TextChoices):
        UNDECIDED = "", "Not decided yet"
        REPORT = "report", "Report to the ICO"
        NOT_REPORT = "not_report", "Do not report: unlikely to result in a risk"

    class PeopleDecision(models.TextChoices):
        UNDECIDED = "", "Not decided yet"
        TELL = "tell", "Tell the people affected: high risk"
        NOT_TELL = "not_tell", "Do not tell them: no high risk"

    title = models.CharField(max_length=200, help_text="A short name for the breach.")
    aware_at = models.DateTimeField(
        "became aware at",
        help_text="When the company became aware of it: the 72 hours run from here.",
    )
    occurred_at = models.DateTimeField(
        "happened at", null=True, blank=True, help_text="When it happened, if known."
    )
    description = models.TextField("what happened")
    discovered_how = models.TextField("how we found out", blank=True)
    data_categories = models.JSONField("categories of data", default=list, blank=True)
    people_categories = models.JSONField("categories of people", default=list, blank=True)
    people_approx = models.PositiveIntegerField(
        "approximate number of people", null=True, blank=True
    )
    records_approx = models.PositiveIntegerField(
        "approximate number of records", null=True, blank=True
    )
    likely_consequences = models.TextField("likely consequences", blank=True)
    measures_taken = models.TextField("measures taken", blank=True)
    measures_proposed = models.TextField("measures proposed", blank=True)
    dpo_contact_name = models.CharField("DPO contact name", max_length=200, blank=True)
    dpo_contact_email = models.EmailField("DPO contact e-mail", blank=True)
    dpo_contact_phone = models.CharField("DPO contact telephone", max_length=40, blank=True)

    status = models.CharField(max_length=8, choices=Status.choices, default=Status.OPEN)
    # The latest decisions; each one, with its reason, is a row of the timeline (BreachEvent).
    ico_decision = models.CharField(
        max_length=12, choices=IcoDecision.choices, blank=True, default=""
    )
    people_decision = models.CharField(
        max_length=12, choices=PeopleDecision.choices, blank=True, default=""
    )
    ico_reference = models.CharField("ICO reference", max_length=100, blank=True)
    ico_reported_at = models.DateTimeField("reported to the ICO at", null=True, blank=True)

    # By label: breaches never imports security, which calls breaches' service to escalate.
    investigation = models.ForeignKey(
        "security.Investigation",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="breaches",
    )
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    opened_at = models.DateTimeField(default=timezone.now)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-aware_at", "-pk"]
        indexes = [models.Index(fields=["status", "aware_at"])]
        verbose_name_plural = "breaches"

    def __str__(self) -> str:
        return f"{self.reference}: {self.title}"

    @property
    def reference(self) -> str:
        return f"BR-{self.pk}"

    @property
    def deadline(self):
        return self.aware_at + REPORT_WINDOW

    @property
    def clock_running(self) -> bool:
        """The 72-hour clock runs until the breach is reported, or decided not reportable."""
        return bool(
            self.status == self.Status.OPEN
            and self.ico_reported_at is None
            and self.ico_decision != self.IcoDecision.NOT_REPORT
        )

    @property
    def reported_late(self) -> bool:
        return bool(self.ico_reported_at and self.ico_reported_at > self.deadline)

    def data_category_labels(self) -> list[str]:
        labels = dict(DataCategory.choices)
        return [labels.get(value, value) for value in self.data_categories or []]

    def people_category_labels(self) -> list[str]:
        labels = dict(PeopleCategory.choices)
        return [labels.get(value, value) for value in self.people_categories or []]


class BreachEvent(models.Model):
    """One row of a breach's timeline: a decision with its reason, a report, an update."""

    class Kind(models.TextChoices):
        OPENED = "opened", "Breach opened"
        REPORT_ICO = "report_ico", "Decided to report to the ICO"
        NOT_REPORT_ICO = "not_report_ico", "Decided not to report to the ICO"
        TELL_PEOPLE = "tell_people", "Decided to tell the people affected (high risk)"
        NOT_TELL_PEOPLE = "not_tell_people", "Decided not to tell the people affected"
        DELAY = "delay", "Reason for delay"
        ICO_REPORTED = "ico_reported", "Reported to the ICO"
        UPDATE_SENT = "update_sent", "Update sent"
        CLOSED = "closed", "Breach closed"
        REOPENED = "reopened", "Breach reopened"

    class Recipient(models.TextChoices):
        NONE = "", "—"
        ICO = "ico", "The ICO"
        PEOPLE = "people", "The people affected"

    breach = models.ForeignKey(Breach, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    reason = models.TextField(blank=True)
    recipient = models.CharField(max_length=8, choices=Recipient.choices, blank=True, default="")
    phase = models.PositiveSmallIntegerField(null=True, blank=True)
    at = models.DateTimeField(default=timezone.now)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.breach.reference})"


class BreachAlert(models.Model):
    """An alert sent about a breach's clock; one per breach and threshold, ever."""

    class Threshold(models.TextChoices):
        HOURS_24 = "24h", "24 hours left"
        HOURS_6 = "6h", "6 hours left"
        OVERDUE = "overdue", "Overdue"

    breach = models.ForeignKey(Breach, on_delete=models.CASCADE, related_name="alerts")
    threshold = models.CharField(max_length=8, choices=Threshold.choices)
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["sent_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["breach", "threshold"], name="breaches_alert_once_per_threshold"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_threshold_display()} alert for {self.breach.reference}"
