import datetime

from django.conf import settings
from django.db import models
from django.db.models import F, Q, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from accounts.models import Organisation
from datamap.purposes import Purpose


class RequestKind(models.TextChoices):
    ACCESS = "access", "Access to my data"
    RECTIFICATION = "rectification", "Correct my data"
    ERASURE = "erasure", "Erase my data"
    RESTRICTION = "restriction", "Restrict the processing of my data"
    OBJECTION = "objection", "Object to processing on legitimate interests"
    MARKETING_OBJECTION = "marketing_objection", "Object to direct marketing"
    PORTABILITY = "portability", "Data portability"
    CONSENT_WITHDRAWAL = "consent_withdrawal", "Withdraw consent"
    COMPLAINT = "complaint", "Complaint to the Data Protection Officer"


class State(models.TextChoices):
    SUBMITTED = "submitted", "Submitted"
    AWAITING_VERIFICATION = "awaiting_verification", "Awaiting verification"
    VERIFIED = "verified", "Verified"
    IN_PROGRESS = "in_progress", "In progress"
    AWAITING_REQUESTER = "awaiting_requester", "Awaiting requester"
    COMPLETED = "completed", "Completed"
    REJECTED = "rejected", "Rejected"
    WITHDRAWN = "withdrawn", "Withdrawn"


OPEN_STATES = frozenset(
    {
        State.SUBMITTED,
        State.AWAITING_VERIFICATION,
        State.VERIFIED,
        State.IN_PROGRESS,
        State.AWAITING_REQUESTER,
    }
)
CLOSED_STATES = frozenset({State.COMPLETED, State.REJECTED, State.WITHDRAWN})


class ComplaintOutcome(models.TextChoices):
    UPHELD = "upheld", "Upheld"
    PARTLY_UPHELD = "partly_upheld", "Partly upheld"
    NOT_UPHELD = "not_upheld", "Not upheld"


class Channel(models.TextChoices):
    WEB_FORM = "web_form", "Public web form"
    ACCOUNT = "account", "Account page"
    API = "api", "API"
    EMAIL = "email", "E-mail"
    PHONE = "phone", "Phone"
    POST = "post", "Post"


# Where the DPO's queue puts a request that has no due date yet (an unconfirmed one): last.
UNDATED = Value(datetime.date.max, output_field=models.DateField())


class RightsRequest(models.Model):
    """One data-subject rights request, from intake to answer."""

    reference = models.CharField(max_length=20, unique=True)
    kind = models.CharField(max_length=24, choices=RequestKind.choices)
    state = models.CharField(max_length=24, choices=State.choices, default=State.SUBMITTED)
    channel = models.CharField(max_length=12, choices=Channel.choices)
    requester_name = models.CharField(max_length=200)
    requester_email = models.EmailField(max_length=254)
    description = models.TextField(blank=True)
    organisation_name = models.CharField(
        max_length=200, blank=True, help_text="The employer the requester named, if any."
    )
    organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="rights_requests_filed",
        help_text="The logged-in user who filed it, or the DPO who logged it.",
    )
    filed_by_label = models.CharField(max_length=254, blank=True)
    received_at = models.DateTimeField(default=timezone.now)
    verified_at = models.DateTimeField(null=True, blank=True)
    # The statutory clock: the start date, the days it was paused, any extension.
    clock_started_on = models.DateField(null=True, blank=True)
    paused_since = models.DateField(null=True, blank=True)
    paused_days = models.PositiveIntegerField(default=0)
    extension_months = models.PositiveSmallIntegerField(default=0)
    extension_reason = models.TextField(blank=True)
    due_on = models.DateField(null=True, blank=True, db_index=True)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="rights_requests_assigned",
    )
    closed_at = models.DateTimeField(null=True, blank=True)
    outcome = models.TextField(blank=True, help_text="The answer, or the reason for rejection.")
    # Complaints only (dsar.services.complaints): the 30-day acknowledgement clock, which runs
    # from receipt and never pauses, and the outcome the DPO decided.
    acknowledge_by = models.DateField(null=True, blank=True, db_index=True)
    acknowledged_at = models.DateTimeField(
        null=True, blank=True, help_text="When the acknowledgement was sent (or made by hand)."
    )
    acknowledged_by_label = models.CharField(max_length=254, blank=True)
    acknowledged_how = models.CharField(max_length=200, blank=True)
    complaint_outcome = models.CharField(
        max_length=16, choices=ComplaintOutcome.choices, blank=True
    )
    # An objection to legitimate interests names the purposes objected to (datamap.purposes).
    objection_purposes = models.JSONField(default=list, blank=True)
    # E-mail verification: a one-time link, valid 24 hours.
    verification_nonce = models.CharField(max_length=43, blank=True)
    verification_sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["due_on", "received_at"]
        indexes = [
            models.Index(fields=["state", "due_on"]),
            models.Index(fields=["requester_email"]),
            # The DPO's queue's order (dsar.selectors.QUEUE_KEY), for its keyset pages.
            models.Index(
                Coalesce("due_on", UNDATED),
                F("received_at"),
                F("id"),
                name="dsar_queue_order",
            ),
            # The queue's counts by state (dsar.selectors.request_counts_by_state): read from
            # this index alone (an index-only scan), never from the table's rows.
            models.Index(
                fields=["state"],
                condition=~Q(kind=RequestKind.COMPLAINT),
                name="dsar_request_state_counts",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference} ({self.get_kind_display()})"

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES

    @property
    def is_complaint(self) -> bool:
        return self.kind == RequestKind.COMPLAINT

    @property
    def objection_purpose_labels(self) -> list[str]:
        named = set(self.objection_purposes or [])
        return [purpose.label for purpose in Purpose if purpose in named]


class RequestSubject(models.Model):
    """An account the DPO matched to the requester, confirmed by hand."""

    request = models.ForeignKey(RightsRequest, on_delete=models.CASCADE, related_name="subjects")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    confirmed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["request", "user"], name="dsar_subject_unique")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} in {self.request_id}"


class RequestEvent(models.Model):
    """One step on a request's timeline: a transition, a message, a note, a download."""

    class Kind(models.TextChoices):
        TRANSITION = "transition", "Status change"
        MESSAGE_TO_REQUESTER = "message_out", "Message to the requester"
        MESSAGE_FROM_REQUESTER = "message_in", "Message from the requester"
        NOTE = "note", "Internal note"
        ASSIGNMENT = "assignment", "Assignment"
        EXTENSION = "extension", "Extension"
        DOWNLOAD = "download", "Download"
        ACTION = "action", "Action"

    request = models.ForeignKey(RightsRequest, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(default=timezone.now)
    kind = models.CharField(max_length=12, choices=Kind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    actor_label = models.CharField(max_length=254, blank=True)
    visible_to_requester = models.BooleanField(default=False)
    from_state = models.CharField(max_length=24, blank=True)
    to_state = models.CharField(max_length=24, blank=True)
    body = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.request_id} {self.kind} {self.at:%Y-%m-%d}"


class ComplaintAlert(models.Model):
    """An alert to the DPO about one complaint's clock; the constraint makes it once each."""

    class Kind(models.TextChoices):
        ACKNOWLEDGEMENT_DUE_SOON = "ack_due_soon", "Acknowledgement due soon"
        ACKNOWLEDGEMENT_OVERDUE = "ack_overdue", "Acknowledgement overdue"
        OUTCOME_OVERDUE = "outcome_overdue", "Outcome overdue"

    request = models.ForeignKey(
        RightsRequest, on_delete=models.CASCADE, related_name="complaint_alerts"
    )
    kind = models.CharField(max_length=16, choices=Kind.choices)
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["request", "kind"], name="dsar_complaint_alert_once")
        ]

    def __str__(self) -> str:
        return f"{self.request_id} {self.kind}"


class LetterTemplate(models.Model):
    """A standard letter the DPO edits; ``{reference}``-style placeholders are filled in."""

    key = models.SlugField(max_length=60, unique=True)
    title = models.CharField(max_length=200)
    body = models.TextField()
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title


class AccessPackage(models.Model):
    """The access (or portability) package built for a request: a ZIP file kept for 7 days."""

    request = models.ForeignKey(RightsRequest, on_delete=models.CASCADE, related_name="packages")
    created_at = models.DateTimeField(default=timezone.now)
    file_name = models.CharField(max_length=200)
    size = models.BigIntegerField(default=0)
    sha256 = models.CharField(max_length=64)
    expires_at = models.DateTimeField()
    deleted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.file_name


class PackageDownload(models.Model):
    package = models.ForeignKey(AccessPackage, on_delete=models.CASCADE, related_name="downloads")
    at = models.DateTimeField(default=timezone.now)
    ip_address = models.GenericIPAddressField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.package_id} at {self.at:%Y-%m-%d %H:%M}"


class RectificationItem(models.Model):
    """One correction the requester proposed, approved or rejected by the DPO."""

    class Decision(models.TextChoices):
        PENDING = "pending", "Pending"
        APPROVED = "approved", "Approved"
        REJECTED = "rejected", "Rejected"

    request = models.ForeignKey(
        RightsRequest, on_delete=models.CASCADE, related_name="rectifications"
    )
    field = models.CharField(max_length=40)
    proposed_value = models.CharField(max_length=254)
    decision = models.CharField(max_length=10, choices=Decision.choices, default=Decision.PENDING)
    decision_reason = models.TextField(blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.field} → {self.proposed_value}"
