from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from rest_framework_api_key.models import AbstractAPIKey

from common.roles import PRIVILEGED_ROLES, STAFF_ROLES, Role
from datamap.purposes import Purpose

# The data map's erasure of a user's contact details writes this domain into the e-mail
# (accounts/personal_data.py): an account in it has been erased already, by a rights request
# or by a retention purge. Retention skips such accounts; a closed organisation whose accounts
# were erased cannot be reopened.
ERASED_EMAIL_SUFFIX = "@erased.invalid"


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
    passkey_sign_in = models.BooleanField(
        "sign-in with a passkey alone",
        default=False,
        help_text="Members and admins may sign in with a passkey, without their password.",
    )
    allowed_email_domains = models.JSONField(
        "allowed e-mail domains",
        default=list,
        blank=True,
        help_text="Lower-case domains invitations normally go to; empty means any domain.",
    )
    # Contract end: set when staff close the organisation, cleared when they reopen it.
    closure_reason = models.TextField(blank=True)
    closure_effective_on = models.DateField(null=True, blank=True)
    closed_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="Every account the closure ended was terminated at this moment: the "
        "retention clock of their data runs from it.",
    )
    closed_by = models.ForeignKey(
        "User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_closed(self) -> bool:
        return self.status == self.Status.CLOSED

    def email_domain_allowed(self, email: str) -> bool:
        if not self.allowed_email_domains:
            return True
        return email.rpartition("@")[2].lower() in self.allowed_email_domains


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
    # Set by a restriction request (Article 18): the person's data is only stored, and every
    # purpose in datamap.purposes.RESTRICTED_PURPOSES leaves them out (accounts.selectors).
    processing_restricted_at = models.DateTimeField(null=True, blank=True)
    # Article 18(3): the person is told before the restriction is lifted.
    restriction_lift_notified_at = models.DateTimeField(null=True, blank=True)

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
    # Set by the beat once the 72 hours pass with the link unaccepted (a replaced link too); the
    # retention clock of the "invitations" category runs from it.
    expired_at = models.DateTimeField(null=True, blank=True)

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


class ApiScope(models.TextChoices):
    USERS = "users", "Users: list, invite, rectify, suspend"
    USAGE_READ = "usage:read", "Usage reports: read"
    USAGE_WRITE = "usage:write", "Usage events: send"
    DSAR = "dsar", "Rights requests: file"
    WEBHOOKS = "webhooks", "Webhook endpoints: manage"


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


class GroupCompany(models.Model):
    """Another client organisation that ``organisation`` names as entitled to its usage
    reports: a group company, affiliate or business partner, on the client's written request.
    Its client admins may read the parent's reports; each view or delivery is a disclosure
    to it. Ended, the row stays as the history of who was entitled when."""

    class Relationship(models.TextChoices):
        GROUP_COMPANY = "group_company", "Group company"
        AFFILIATE = "affiliate", "Affiliate"
        BUSINESS_PARTNER = "business_partner", "Business partner"

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="group_companies"
    )
    member = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="report_entitlements"
    )
    relationship = models.CharField(
        max_length=20, choices=Relationship.choices, default=Relationship.GROUP_COMPANY
    )
    requested_on = models.DateField(help_text="The date of the client's written request.")
    recorded_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)
    ended_at = models.DateTimeField(null=True, blank=True)
    ended_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["member__name"]
        verbose_name_plural = "group companies"
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "member"],
                condition=models.Q(ended_at__isnull=True),
                name="accounts_groupcompany_one_current_entitlement",
                violation_error_message="This organisation is already named as a group company.",
            ),
            models.CheckConstraint(
                condition=~models.Q(organisation=models.F("member")),
                name="accounts_groupcompany_not_itself",
                violation_error_message="An organisation cannot be its own group company.",
            ),
        ]

    def __str__(self) -> str:
        return self.recipient_name

    @property
    def relationship_words(self) -> str:
        return self.get_relationship_display().lower()

    @property
    def relation_text(self) -> str:
        """The member's relation to the parent in words: "affiliate of Acme Ltd"."""
        return f"{self.relationship_words} of {self.organisation.name}"

    @property
    def recipient_name(self) -> str:
        """The member as a recipient of the parent's data: "Sister Ltd (affiliate of Acme Ltd)"."""
        return f"{self.member.name} ({self.relation_text})"


class PurposeObjection(models.Model):
    """An objection to one purpose of processing on legitimate interests, upheld by the DPO:
    that purpose leaves the person out from then on (accounts.selectors.may_process)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="purpose_objections")
    purpose = models.CharField(max_length=30, choices=Purpose.choices)
    upheld_at = models.DateTimeField(default=timezone.now)
    upheld_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    request_reference = models.CharField(
        max_length=20, blank=True, help_text="The rights request that objected."
    )

    class Meta:
        ordering = ["user", "purpose"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "purpose"], name="accounts_purposeobjection_once"
            )
        ]
        indexes = [models.Index(fields=["purpose", "user"])]

    def __str__(self) -> str:
        return f"{self.user} objected to {self.get_purpose_display().lower()}"
