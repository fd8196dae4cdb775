from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone

from common import present
from datamap import Redact, registry
from retention import labels


class RetentionPolicy(models.Model):
    """How long one retention category of the data map is kept, and what happens then."""

    class Basis(models.TextChoices):
        ACCOUNT = "account", "While the account is active, then N days after it ends"
        EVENT = "event", "N days after the event"
        CLOSURE = "closure", "N days after closure or the decision"
        INDEFINITE = "indefinite", "Never purged by the schedule"
        # The erasure ledger's: N days after every backup kept (BACKUP_KEEP_DAYS) is newer.
        BACKUPS = "backups", "While a backup older than it is kept, then N days"

    class Action(models.TextChoices):
        DATA_MAP = "data_map", "As the data map says (delete or anonymise)"
        DELETE = "delete", "Delete"

    category = models.CharField(max_length=60, unique=True)
    basis = models.CharField(max_length=16, choices=Basis.choices)
    days = models.PositiveIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(36500)],
        help_text="Days after the event, the termination or the closure.",
    )
    action = models.CharField(max_length=16, choices=Action.choices, default=Action.DATA_MAP)
    rationale = models.CharField(max_length=300, blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    # A purge of this category holds the category until then (claimed by a conditional
    # UPDATE); a worker that dies lets its claim lapse, and the next run takes over.
    lease_until = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["category"]
        verbose_name_plural = "retention policies"

    def __str__(self) -> str:
        return f"{self.label}: {self.kept}"

    def clean(self) -> None:
        # Two categories have a basis of their own, and no other category may take it.
        for category, basis, kept_as, refused in (
            (
                "account",
                self.Basis.ACCOUNT,
                "Account data is kept while the account is active: its basis stays "
                "“while the account is active”.",
                "Only account data runs from the end of the account.",
            ),
            (
                "erasure_ledger",
                self.Basis.BACKUPS,
                "The erasure ledger is kept while a backup older than its entries may be "
                "restored: its basis stays “while a backup older than it is kept”.",
                "Only the erasure ledger runs from the backups kept.",
            ),
        ):
            if self.category == category and self.basis != basis:
                raise ValidationError(kept_as)
            if self.category != category and self.basis == basis:
                raise ValidationError(refused)

    @property
    def label(self) -> str:
        return labels.category_label(self.category)

    @property
    def kept(self) -> str:
        """The period in words: "While the account is open, then 180 days after it ends"."""
        return labels.kept_for(self.basis, self.days)

    @property
    def kept_for_you(self) -> str:
        entries = registry.entries_in_retention_category(self.category)
        if entries and all(isinstance(entry.erasure, Redact) for entry in entries):
            return labels.details_removed_for_you(self.basis, self.days)
        return labels.kept_for_you(self.basis, self.days)


class LegalHoldQuerySet(models.QuerySet):
    def active(self):
        return self.filter(released_at__isnull=True)


class LegalHold(models.Model):
    """While it stands, nothing of the user (or of anyone in the organisation) is purged
    or erased."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="legal_holds",
    )
    organisation = models.ForeignKey(
        "accounts.Organisation",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="legal_holds",
    )
    reason = models.TextField()
    placed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    placed_at = models.DateTimeField()
    released_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    released_at = models.DateTimeField(null=True, blank=True)

    objects = LegalHoldQuerySet.as_manager()

    class Meta:
        ordering = ["-placed_at"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(user__isnull=False, organisation__isnull=True)
                    | Q(user__isnull=True, organisation__isnull=False)
                ),
                name="retention_legalhold_user_or_organisation",
                violation_error_message="A legal hold is on a user or on an organisation.",
            )
        ]

    def __str__(self) -> str:
        return f"Legal hold #{self.pk} on {self.user or self.organisation}"


class PurgeRun(models.Model):
    class Status(models.TextChoices):
        RUNNING = "running", "Running"
        SUCCEEDED = "succeeded", "Succeeded"
        FAILED = "failed", "Failed"
        INTERRUPTED = "interrupted", "Interrupted (a later run carried on)"
        SKIPPED = "skipped", "Skipped: another run held the category"

    category = models.CharField(max_length=60)
    dry_run = models.BooleanField(default=False)
    trigger = models.CharField(max_length=20, default="schedule")
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.RUNNING)
    started_at = models.DateTimeField()
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    cutoff = models.DateTimeField(null=True, blank=True)
    # {entry name: {"deleted": n, "anonymised": n}}; written in the same transaction as each
    # batch, so a run killed mid-way shows exactly what it did.
    counts = models.JSONField(default=dict, blank=True)
    error = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]
        indexes = [models.Index(fields=["category", "dry_run", "-started_at"])]

    def __str__(self) -> str:
        kind = "Dry run" if self.dry_run else "Purge"
        return f"{kind} of {self.category} at {self.started_at:%Y-%m-%d %H:%M}"

    @property
    def category_label(self) -> str:
        return labels.category_label(self.category)

    @property
    def total_deleted(self) -> int:
        return sum(c.get("deleted", 0) for c in self.counts.values())

    @property
    def total_anonymised(self) -> int:
        return sum(c.get("anonymised", 0) for c in self.counts.values())


class ErasureLedgerEntry(models.Model):
    """One erasure, remembered outside the database a backup restore replaces.

    Lives in the ``ledger`` database (retention.routers). It keeps keyed hashes of the person's
    identifiers, never the identifiers: the ledger can recognise the person in a restored
    database without itself being a copy of their data.
    """

    erased_at = models.DateTimeField(default=timezone.now, db_index=True)
    user_id_hashes = models.JSONField(default=list)
    email_hashes = models.JSONField(default=list)
    terminate_account = models.BooleanField(default=False)

    class Meta:
        ordering = ["erased_at", "pk"]

    def __str__(self) -> str:
        return f"Erasure of {present.when(self.erased_at)}"
