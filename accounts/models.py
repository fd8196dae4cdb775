from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django_otp.models import Device, ThrottlingMixin
from rest_framework_api_key.models import AbstractAPIKey

from common.roles import PRIVILEGED_ROLES, STAFF_ROLES, Role


class Organisation(models.Model):
    """A client of the company: it employs the users and receives their usage reports."""

    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        SUSPENDED = "suspended", "Suspended"
        CLOSED = "closed", "Closed"

    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=80, unique=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.ACTIVE)
    mfa_required = models.BooleanField(
        "MFA required for every user",
        default=False,
        help_text="Members must enrol an authenticator app too, not only admins.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class UserManager(BaseUserManager):
    use_in_migrations = True

    @classmethod
    def normalize_email(cls, email: str | None) -> str:
        return (email or "").strip().lower()

    def get_by_natural_key(self, username):
        return self.get(email=self.normalize_email(username))

    def create_user(self, email: str, password: str | None = None, **fields):
        user = self.model(email=self.normalize_email(email), **fields)
        user.set_password(password)
        user.full_clean()
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **fields):
        fields.setdefault("role", Role.DPO)
        fields.setdefault("full_name", email.split("@")[0])
        return self.create_user(email, password, is_superuser=True, **fields)


class User(AbstractBaseUser, PermissionsMixin):
    """A person who logs in. E-mail is the login; staff of the company have no organisation."""

    class Status(models.TextChoices):
        INVITED = "invited", "Invited"
        ACTIVE = "active", "Active"
        SUSPENDED = "suspended", "Suspended"
        TERMINATED = "terminated", "Terminated"

    email = models.EmailField("e-mail address", max_length=254, unique=True)
    full_name = models.CharField(max_length=150)
    job_title = models.CharField(max_length=150, blank=True)
    organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="users"
    )
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.MEMBER)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.ACTIVE)
    suspended_reason = models.TextField(blank=True)
    suspended_at = models.DateTimeField(null=True, blank=True)
    suspended_by = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    terminated_at = models.DateTimeField(
        null=True, blank=True, help_text="The retention clock for account data starts here."
    )
    terminated_by = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    date_joined = models.DateTimeField(default=timezone.now)
    # Set by rights requests: a restricted user, or one whose objection to processing on
    # legitimate interests was upheld, is left out of client reports and aggregates.
    processing_restricted_at = models.DateTimeField(null=True, blank=True)
    objection_upheld_at = models.DateTimeField(null=True, blank=True)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        ordering = ["full_name", "email"]
        constraints = [
            models.UniqueConstraint(Lower("email"), name="accounts_user_email_ci_unique"),
            models.CheckConstraint(
                condition=(
                    models.Q(role__in=[Role.DPO, Role.SUPPORT], organisation__isnull=True)
                    | models.Q(
                        role__in=[Role.MEMBER, Role.CLIENT_ADMIN], organisation__isnull=False
                    )
                ),
                name="accounts_user_staff_have_no_organisation",
                violation_error_message=(
                    "Members and client admins belong to an organisation; "
                    "DPO and support staff belong to none."
                ),
            ),
        ]
        indexes = [models.Index(fields=["organisation", "status", "role"])]

    def __str__(self) -> str:
        return self.full_name or self.email

    def clean(self) -> None:
        self.email = UserManager.normalize_email(self.email)

    @property
    def is_active(self) -> bool:
        return self.status == self.Status.ACTIVE

    @property
    def is_staff(self) -> bool:
        # Django's admin is for superusers only.
        return self.is_superuser

    @property
    def is_company_staff(self) -> bool:
        return self.role in STAFF_ROLES

    @property
    def is_client_admin(self) -> bool:
        return self.role == Role.CLIENT_ADMIN

    @property
    def is_privileged(self) -> bool:
        return self.role in PRIVILEGED_ROLES or self.is_superuser

    @property
    def mfa_required(self) -> bool:
        return self.is_privileged or bool(self.organisation and self.organisation.mfa_required)

    @property
    def home_url(self) -> str:
        return reverse("account:home")

    def get_full_name(self) -> str:
        return self.full_name

    def get_short_name(self) -> str:
        return self.full_name.split(" ")[0] if self.full_name else self.email


class Invitation(models.Model):
    """A one-time link that lets an invited user set a password. Only the newest one works."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="invitations")
    invited_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    nonce = models.CharField(max_length=43, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Invitation for {self.user}"

    @property
    def is_usable(self) -> bool:
        return (
            self.accepted_at is None
            and self.revoked_at is None
            and timezone.now() < self.expires_at
        )


class EmailChange(models.Model):
    """A requested change of a user's e-mail address. The address changes only when someone
    follows the one-time link sent to the new address: only its owner can."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="email_changes")
    old_email = models.EmailField(max_length=254, help_text="The address told of the change.")
    new_email = models.EmailField(max_length=254)
    requested_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    nonce = models.CharField(max_length=43, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    confirmed_at = models.DateTimeField(null=True, blank=True)
    # Set when a newer request replaces this one: only the newest link works.
    cancelled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"E-mail change for {self.user}"

    @property
    def is_pending(self) -> bool:
        return (
            self.confirmed_at is None
            and self.cancelled_at is None
            and timezone.now() < self.expires_at
        )


class BackupCodeDevice(ThrottlingMixin, Device):
    """Single-use backup codes for MFA, stored as keyed hashes (django-otp's are plain text)."""

    class Meta(Device.Meta):
        verbose_name = "backup code set"

    @staticmethod
    def code_hash(code: str) -> str:
        normalised = code.replace("-", "").replace(" ", "").lower()
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
        ordering = ["-last_seen_at"]
        indexes = [models.Index(fields=["user", "ended_at"])]

    def __str__(self) -> str:
        return f"{self.user} on {self.device or 'unknown device'}"


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
    assignee = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    outcome = models.CharField(max_length=24, choices=Outcome.choices, blank=True)
    outcome_reason = models.TextField(blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-opened_at"]
        indexes = [models.Index(fields=["status", "opened_at"])]

    def __str__(self) -> str:
        return f"INV-{self.pk}: {self.summary}"

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
        ordering = ["created_at"]

    def __str__(self) -> str:
        return f"Note on {self.investigation}"


class MarketingTopic(models.TextChoices):
    NEWSLETTER = "newsletter", "Newsletter"
    WEBINARS = "webinars", "Webinar invitations"
    PRODUCT_UPDATES = "product_updates", "Product information and updates"


class CommunicationPreferences(models.Model):
    """What marketing a person asked for. Service and security e-mails are not marketing."""

    user = models.OneToOneField(
        User, on_delete=models.CASCADE, related_name="communication_preferences"
    )
    newsletter = models.BooleanField(default=False)
    webinars = models.BooleanField(default=False)
    product_updates = models.BooleanField(default=False)
    marketing_objection_at = models.DateTimeField(
        null=True, blank=True, help_text="An objection to direct marketing stops every send."
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
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

    def __str__(self) -> str:
        return self.subject


class MarketingDelivery(models.Model):
    send = models.ForeignKey(MarketingSend, on_delete=models.CASCADE, related_name="deliveries")
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["send", "user"], name="marketing_delivery_once")
        ]

    def __str__(self) -> str:
        return f"{self.send_id} to {self.user_id}"


class ApiScope(models.TextChoices):
    USERS = "users", "Users: list, invite, rectify, suspend"
    USAGE_READ = "usage:read", "Usage reports: read"
    USAGE_WRITE = "usage:write", "Usage events: send"
    DSAR = "dsar", "Rights requests: file"


class OrganisationAPIKey(AbstractAPIKey):
    """An integration's key: belongs to one organisation, stored hashed, scoped, revocable."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="api_keys"
    )
    scopes = models.JSONField(default=list)
    created_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta(AbstractAPIKey.Meta):
        verbose_name = "API key"

    def clean(self) -> None:
        super().clean()
        unknown = set(self.scopes) - set(ApiScope.values)
        if unknown or not isinstance(self.scopes, list):
            raise ValidationError({"scopes": f"Unknown scopes: {', '.join(sorted(unknown))}."})

    def has_scope(self, scope: str) -> bool:
        return scope in self.scopes
