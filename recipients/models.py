"""Recipients of a person's data are told when a rights request erases, rectifies or
restricts it (UK GDPR Article 19): client organisations by signed webhooks."""

from django.db import models


class Event(models.TextChoices):
    ERASED = "subject.erased", "Person erased"
    RECTIFIED = "subject.rectified", "Person's details rectified"
    RESTRICTED = "subject.restricted", "Processing restricted"
    RESTRICTION_LIFTED = "subject.restriction_lifted", "Restriction lifted"


class WebhookEndpoint(models.Model):
    """Where a client organisation wants to be told. The signing secrets are stored encrypted
    (recipients.secrets); the previous one keeps signing until ``previous_secret_until`` so a
    receiver can roll its configuration over without missing a delivery."""

    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.CASCADE, related_name="webhook_endpoints"
    )
    url = models.URLField(max_length=500)
    events = models.JSONField(default=list)
    active = models.BooleanField(default=True)
    secret_encrypted = models.TextField()
    previous_secret_encrypted = models.TextField(blank=True, default="")
    previous_secret_until = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.url


class Notice(models.Model):
    """One recipient told that one rights request erased, rectified or restricted one
    person's data, and whether it has confirmed acting on it."""

    class Kind(models.TextChoices):
        CLIENT = "client", "Client organisation"
        PROCESSOR = "processor", "Service provider"

    class Status(models.TextChoices):
        AWAITING = "awaiting", "Awaiting confirmation"
        CONFIRMED = "confirmed", "Confirmed"
        # Article 19: telling a recipient may prove impossible or involve disproportionate
        # effort; the DPO records why, and the request may then be completed.
        EXCUSED = "excused", "Not confirmed: impossible or disproportionate effort"

    event = models.CharField(max_length=40, choices=Event.choices)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    recipient_label = models.CharField(max_length=200)
    organisation = models.ForeignKey(
        "accounts.Organisation",
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    processor = models.ForeignKey(
        "records.Processor",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    subject = models.ForeignKey(
        "accounts.User", on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    # The identifier the recipient holds for the person, kept only until it confirms.
    subject_email = models.EmailField(blank=True)
    request_reference = models.CharField(max_length=40, blank=True, db_index=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.AWAITING)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    confirmed_by_label = models.CharField(max_length=254, blank=True)
    confirmation_note = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.get_event_display()} told to {self.recipient_label}"


class WebhookDelivery(models.Model):
    """One notice sent to one endpoint, retried with backoff until delivered or 24 hours on."""

    class Status(models.TextChoices):
        PENDING = "pending", "Sending"
        DELIVERED = "delivered", "Delivered"
        FAILED = "failed", "Failed"

    notice = models.ForeignKey(Notice, on_delete=models.CASCADE, related_name="deliveries")
    endpoint = models.ForeignKey(
        WebhookEndpoint, null=True, on_delete=models.SET_NULL, related_name="deliveries"
    )
    message_id = models.CharField(max_length=40, unique=True)
    payload = models.JSONField(default=dict)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(db_index=True)
    last_error = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "pk"]

    def __str__(self) -> str:
        return self.message_id


class ProcessorContact(models.Model):
    """Where a service provider in the processor register takes privacy instructions."""

    processor = models.OneToOneField(
        "records.Processor", on_delete=models.CASCADE, related_name="privacy_contact"
    )
    email = models.EmailField()

    def __str__(self) -> str:
        return self.email
