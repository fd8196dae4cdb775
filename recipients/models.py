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
