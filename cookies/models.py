"""Consent proof, versioned notices, cookie lifetimes and first-party analytics counts.

The cookie groups and cookies themselves are django-cookie-consent's models; this app adds
what they lack: each cookie's lifetime, a record of every decision that names who decided
(as far as we know) and under which policy version, and the notices' published versions.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q


class CookieDetail(models.Model):
    """What django-cookie-consent's Cookie has no field for: how long the cookie lives."""

    cookie = models.OneToOneField(
        "cookie_consent.Cookie", on_delete=models.CASCADE, related_name="detail"
    )
    lifetime = models.CharField(max_length=100, help_text="As a visitor reads it: “1 year”.")

    def __str__(self) -> str:
        return f"{self.cookie.name}: {self.lifetime}"


class PolicyVersion(models.Model):
    """One version of the privacy notice or of the cookie policy, in Markdown.

    A draft has no number; publishing gives it the next one and it never changes again.
    Who wrote and published it is in the audit trail, not here.
    """

    class Kind(models.TextChoices):
        PRIVACY = "privacy", "Privacy notice"
        COOKIES = "cookies", "Cookie policy"

    kind = models.CharField(max_length=16, choices=Kind.choices)
    number = models.PositiveIntegerField(null=True, blank=True)
    body = models.TextField(help_text="Markdown. Links and headings are kept; scripts are not.")
    change_note = models.CharField(
        max_length=200, blank=True, help_text="What changed, shown in the version history."
    )
    # The privacy notice's prose, section by section (cookies.notice.SECTIONS); ``body`` is
    # its introduction. The cookie policy is ``body`` alone.
    sections = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    published_at = models.DateTimeField(null=True, blank=True)
    # Frozen when published: what the records said (the generated tables), the whole text as
    # a reader saw it, the lines that changed from the previous version, and which of
    # purposes, recipients and retention changed (what the users were e-mailed about).
    snapshot = models.JSONField(null=True, blank=True)
    text = models.TextField(blank=True)
    diff = models.JSONField(default=list, blank=True)
    material_changes = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["kind", "-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "number"],
                condition=Q(number__isnull=False),
                name="cookies_policy_version_unique_number",
            ),
            models.UniqueConstraint(
                fields=["kind"],
                condition=Q(published_at__isnull=True),
                name="cookies_policy_version_one_draft",
            ),
        ]

    def __str__(self) -> str:
        if self.number is None:
            return f"{self.get_kind_display()} (draft)"
        return f"{self.get_kind_display()} version {self.number}"

    @property
    def reader_text(self) -> str:
        """What a reader saw; a version published before texts were kept read as its body."""
        return self.text or self.body

    @property
    def is_published(self) -> bool:
        return self.published_at is not None


class ConsentRecord(models.Model):
    """Proof of one cookie decision. Never changed after it is written.

    ``accepted`` and ``declined`` hold group varnames between commas (",performance,") so
    that a LIKE counts one category on any database.
    """

    class Method(models.TextChoices):
        BANNER = "banner", "Banner"
        SETTINGS = "settings", "Cookie settings page"

    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    visitor_id = models.CharField(
        max_length=64, db_index=True, help_text="Keyed hash of the random id in the consent cookie."
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    accepted = models.CharField(max_length=200, blank=True)
    declined = models.CharField(max_length=200, blank=True)
    policy_version = models.PositiveIntegerField()
    method = models.CharField(max_length=16, choices=Method.choices)
    # Empty on decisions stored before the signal was recorded: we cannot say either way.
    gpc = models.BooleanField(
        "Global Privacy Control",
        null=True,
        blank=True,
        help_text="The browser sent a Global Privacy Control signal with the decision.",
    )

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Consent {self.pk} ({self.get_method_display()}, policy v{self.policy_version})"

    @staticmethod
    def join(varnames) -> str:
        names = sorted(varnames)
        return f",{','.join(names)}," if names else ""

    @property
    def accepted_list(self) -> list[str]:
        return [name for name in self.accepted.split(",") if name]

    @property
    def declined_list(self) -> list[str]:
        return [name for name in self.declined.split(",") if name]


class PageVisitCount(models.Model):
    """First-party analytics, counted per day and page route: nothing about the visitor."""

    day = models.DateField()
    route = models.CharField(max_length=200)
    visits = models.PositiveIntegerField(default=0)
    new_visitors = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-day", "route"]
        constraints = [
            models.UniqueConstraint(fields=["day", "route"], name="cookies_page_visit_day_route")
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.route}: {self.visits}"


class NoticeChangeEmail(models.Model):
    """One user told of one published privacy notice: a second run of the send skips them."""

    version = models.ForeignKey(PolicyVersion, on_delete=models.CASCADE, related_name="emails")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["version", "user"], name="cookies_notice_email_once")
        ]

    def __str__(self) -> str:
        return f"{self.version} to {self.user_id}"
