"""What security keeps: backup codes for two-step login, browser sessions, investigations.

These models moved here from accounts (issue 13) and keep their tables (``db_table``), so an
existing database keeps every row; see security/migrations/0001_initial.py.
"""

from django.db import models
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django_otp.models import Device, ThrottlingMixin

from accounts.models import Organisation, User
from common import present

RULE_LABELS = {
    "lockout": "Lockout",
    "success_after_distributed_failures": "Login after failures from several IPs",
    "many_ips_in_hour": "Logins from many IPs within an hour",
    "privileged_new_ip": "Privileged login from a new IP",
    "api_key_failure_burst": "Burst of failed API-key authentications",
    "password_spraying": "Password spraying: one IP failing against many accounts",
}


class BackupCodeDevice(ThrottlingMixin, Device):
    """Single-use backup codes for MFA, stored as keyed hashes (django-otp's are plain text)."""

    class Meta(Device.Meta):
        db_table = "accounts_backupcodedevice"
        verbose_name = "backup code set"

    @staticmethod
    def code_hash(code: str) -> str:
        normalised = code.replace("-", "").replace(" ", "").lower()
        # The salt predates the move to security: changing it would void every stored code.
        return salted_hmac("accounts.backup-code", normalised, algorithm="sha256").hexdigest()

    def get_throttle_factor(self) -> int:
        return 1

    def verify_token(self, token) -> bool:
        allowed, _ = self.verify_is_allowed()
        if not allowed:
            return False
        wanted = self.code_hash(str(token))
        for code in self.codes.filter(used_at__isnull=True):
            if constant_time_compare(code.code_hash, wanted):
                code.used_at = timezone.now()
                code.save(update_fields=["used_at"])
                self.throttle_reset()
                return True
        self.throttle_increment()
        return False

    @property
    def remaining(self) -> int:
        return self.codes.filter(used_at__isnull=True).count()


class BackupCode(models.Model):
    device = models.ForeignKey(BackupCodeDevice, on_delete=models.CASCADE, related_name="codes")
    code_hash = models.CharField(max_length=64)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "accounts_backupcode"

    def __str__(self) -> str:
        return f"Backup code {self.pk} ({'used' if self.used_at else 'unused'})"


class UserSession(models.Model):
    """One logged-in browser session, so its owner can see it and end it."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="browser_sessions")
    session_key = models.CharField(max_length=40, unique=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    device = models.CharField(max_length=120, blank=True, help_text="Browser and system.")
    created_at = models.DateTimeField(default=timezone.now)
    last_seen_at = models.DateTimeField(default=timezone.now)
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "accounts_usersession"
        ordering = ["-last_seen_at"]
        indexes = [models.Index(fields=["user", "ended_at"])]

    def __str__(self) -> str:
        return f"{self.user} on {self.device or 'unknown device'}"


class InvestigationQuerySet(models.QuerySet):
    def open(self):
        # Reached from accounts as ``user.investigations.open()``, without importing security.
        return self.filter(status=Investigation.Status.OPEN)


class Investigation(models.Model):
    """Suspicious activity opened by a rule, worked by DPO or support in the back office."""

    class Severity(models.TextChoices):
        LOW = "low", "Low"
        MEDIUM = "medium", "Medium"
        HIGH = "high", "High"

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        CLOSED = "closed", "Closed"

    class Outcome(models.TextChoices):
        CLEARED = "cleared", "Cleared, account reactivated"
        CONFIRMED_SUSPENDED = "confirmed_suspended", "Confirmed, account kept suspended"
        CONFIRMED_TERMINATED = "confirmed_terminated", "Confirmed, account terminated"
        ESCALATED_BREACH = "escalated_breach", "Escalated to a breach"

    user = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="investigations"
    )
    organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    rule = models.CharField(max_length=64)
    severity = models.CharField(max_length=8, choices=Severity.choices)
    summary = models.CharField(max_length=255)
    evidence = models.JSONField(default=list, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.OPEN)
    account_suspended = models.BooleanField(
        default=False, help_text="The rule suspended the account as a provisional step."
    )
    opened_at = models.DateTimeField(default=timezone.now)
    review_due_at = models.DateTimeField(null=True, blank=True)
    reviewed_at = models.DateTimeField(null=True, blank=True)
    # When the DPO and support were e-mailed that the provisional suspension opened, and that it
    # was still unreviewed at review_due_at: each is sent once per suspension.
    staff_alerted_at = models.DateTimeField(null=True, blank=True)
    review_reminder_sent_at = models.DateTimeField(null=True, blank=True)
    # Named so that accounts can count a colleague's open cases without importing security.
    assignee = models.ForeignKey(
        User,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="investigations_assigned",
    )
    outcome = models.CharField(max_length=24, choices=Outcome.choices, blank=True)
    outcome_reason = models.TextField(blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = InvestigationQuerySet.as_manager()

    class Meta:
        db_table = "accounts_investigation"
        ordering = ["-opened_at"]
        indexes = [models.Index(fields=["status", "opened_at"])]

    def __str__(self) -> str:
        return f"INV-{self.pk}: {self.summary}"

    @property
    def rule_label(self) -> str:
        return RULE_LABELS.get(self.rule, self.rule)

    @property
    def review_overdue(self) -> bool:
        return bool(
            self.status == self.Status.OPEN
            and self.account_suspended
            and self.reviewed_at is None
            and self.review_due_at
            and timezone.now() > self.review_due_at
        )


class InvestigationNote(models.Model):
    investigation = models.ForeignKey(Investigation, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    text = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        db_table = "accounts_investigationnote"
        ordering = ["created_at"]

    def __str__(self) -> str:
        return f"Note on {self.investigation}"


class LoginFingerprint(models.Model):
    """A place a user has logged in from: a keyed hash of the IP address and the device in words.

    A login whose fingerprint the user has not used within ``NEW_LOGIN_WINDOW`` is "new" and
    e-mailed to them (security/services/notices.py). Only the hash is kept: the notice needs
    the IP and device of the login being checked, never those of the earlier ones.
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="login_fingerprints")
    fingerprint = models.CharField(max_length=64)
    first_seen_at = models.DateTimeField(default=timezone.now)
    last_seen_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "fingerprint"], name="login_fingerprint_once")
        ]

    def __str__(self) -> str:
        return f"Login place of {self.user}"


class BackupRecord(models.Model):
    """A backup the deployment's backup job finished, recorded by ``manage.py record_backup``.

    The app makes no backups itself: the job that does (pg_dump, the provider's snapshots) tells
    the app each time it succeeds, so the security self-check can say how old the newest is.
    """

    completed_at = models.DateTimeField(default=timezone.now)
    description = models.CharField(
        max_length=200, blank=True, help_text="What was backed up and where, in words."
    )

    class Meta:
        ordering = ["-completed_at"]

    def __str__(self) -> str:
        return f"Backup of {present.when(self.completed_at)}"


class SecurityCheckRun(models.Model):
    """One run of the security self-check: each check's name, verdict and words, in order."""

    class Trigger(models.TextChoices):
        SCHEDULE = "schedule", "Daily schedule"
        COMMAND = "command", "Command line"
        PERSON = "person", "Run from the back office"

    ran_at = models.DateTimeField(default=timezone.now)
    trigger = models.CharField(max_length=16, choices=Trigger.choices)
    passed = models.BooleanField()
    # [{"name": "Lockout", "passed": true, "detail": "…"}], in the order the checks ran.
    results = models.JSONField(default=list)

    class Meta:
        ordering = ["-ran_at"]

    def __str__(self) -> str:
        return f"Security self-check of {present.when(self.ran_at)}"

    @property
    def failures(self) -> list[dict]:
        return [result for result in self.results if not result["passed"]]
