from django.conf import settings
from django.db import models


class Enquiry(models.Model):
    """A question sent through the contact form, by a user or by anyone."""

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        ANSWERED = "answered", "Answered"
        CLOSED = "closed", "Closed"

    created_at = models.DateTimeField(db_index=True)
    # SET_NULL: an erased account keeps no link; the enquiry goes with the erasure anyway.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="enquiries",
    )
    name = models.CharField(max_length=200)
    email = models.EmailField(max_length=254)
    subject = models.CharField(max_length=200)
    message = models.TextField(max_length=5000)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    # Who in support answers it; nobody (the queue) until someone takes it.
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="enquiries_assigned",
    )
    # The retention clock: the last time anything happened (sent, answered, closed).
    last_activity_at = models.DateTimeField(db_index=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "enquiries"
        indexes = [models.Index(fields=["status", "-created_at"])]

    def __str__(self) -> str:
        return f"ENQ-{self.pk}: {self.subject}"


class EnquiryReply(models.Model):
    """A reply from support, stored as sent by e-mail."""

    enquiry = models.ForeignKey(Enquiry, on_delete=models.CASCADE, related_name="replies")
    created_at = models.DateTimeField()
    body = models.TextField(max_length=10000)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # Set by the e-mail task once the message went out: running it twice sends one e-mail.
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name_plural = "enquiry replies"

    def __str__(self) -> str:
        return f"Reply to ENQ-{self.enquiry_id}"
