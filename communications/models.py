from django.conf import settings
from django.db import models
from django.utils import timezone

# These models moved here from accounts and keep the tables accounts created (db_table), so
# no row moved with them.


class MarketingTopic(models.TextChoices):
    NEWSLETTER = "newsletter", "Newsletter"
    WEBINARS = "webinars", "Webinar invitations"
    PRODUCT_UPDATES = "product_updates", "Product information and updates"


class CommunicationPreferences(models.Model):
    """What marketing a person asked for. Service and security e-mails are not marketing."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="communication_preferences",
    )
    newsletter = models.BooleanField(default=False)
    webinars = models.BooleanField(default=False)
    product_updates = models.BooleanField(default=False)
    marketing_objection_at = models.DateTimeField(
        null=True, blank=True, help_text="An objection to direct marketing stops every send."
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "accounts_communicationpreferences"
        verbose_name_plural = "communication preferences"

    def __str__(self) -> str:
        return f"Communication preferences of {self.user}"


class MarketingSend(models.Model):
    """One marketing e-mail, identified by its content, so sending it again reaches only the
    people who have not had it yet."""

    key = models.CharField(max_length=64, unique=True)
    topic = models.CharField(max_length=20, choices=MarketingTopic.choices)
    subject = models.CharField(max_length=200)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        db_table = "accounts_marketingsend"

    def __str__(self) -> str:
        return self.subject


class MarketingDelivery(models.Model):
    send = models.ForeignKey(MarketingSend, on_delete=models.CASCADE, related_name="deliveries")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        db_table = "accounts_marketingdelivery"
        constraints = [
            models.UniqueConstraint(fields=["send", "user"], name="marketing_delivery_once")
        ]

    def __str__(self) -> str:
        return f"{self.send_id} to {self.user_id}"
