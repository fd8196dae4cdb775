"""The DPO's records: the disclosure log, and the editable half of the Article 30 record of
processing (the other half is the data map, rendered).

The models came here from audit/ and processing/ and keep their tables (``db_table``): a
deployment's rows stay where they are.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models

from datamap import Category, LegalBasis


class Disclosure(models.Model):
    """One disclosure of personal data outside the company: to a client, a provider, a regulator."""

    class RecipientType(models.TextChoices):
        CLIENT = "client", "Client (the employer)"
        SERVICE_PROVIDER = "service_provider", "Service provider"
        REGULATOR = "regulator", "Regulator"
        LAW_ENFORCEMENT = "law_enforcement", "Law enforcement"

    occurred_at = models.DateTimeField(db_index=True)
    recipient_type = models.CharField(max_length=20, choices=RecipientType.choices)
    recipient = models.CharField(max_length=200)
    organisation = models.ForeignKey(
        "accounts.Organisation",
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    legal_basis = models.CharField(max_length=200)
    categories = models.JSONField(default=list)
    description = models.CharField(max_length=300)
    reference = models.CharField(max_length=100, blank=True)
    disclosed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    disclosed_by_label = models.CharField(max_length=254, blank=True)
    subject_count = models.PositiveIntegerField(default=0)
    # A report an admin opens again the same day is one disclosure seen more than once: the
    # same data went to the same person. ``repeat_key`` names that report and that UK day.
    views = models.PositiveIntegerField(default=1)
    repeat_key = models.CharField(max_length=250, blank=True, default="")

    class Meta:
        db_table = "audit_disclosure"
        ordering = ["-occurred_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["disclosed_by", "repeat_key"],
                condition=~models.Q(repeat_key=""),
                name="disclosure_repeat_once",
            )
        ]

    def __str__(self) -> str:
        return f"{self.occurred_at:%Y-%m-%d} to {self.recipient}: {self.description}"


class DisclosureSubject(models.Model):
    """A person whose data a disclosure carried, so their access package can list it."""

    disclosure = models.ForeignKey(Disclosure, on_delete=models.CASCADE, related_name="subjects")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )

    class Meta:
        db_table = "audit_disclosuresubject"
        constraints = [
            models.UniqueConstraint(fields=["disclosure", "user"], name="disclosure_subject_unique")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} in {self.disclosure_id}"


LEGAL_BASIS_CHOICES = [(basis.value, basis.label) for basis in LegalBasis]
CATEGORY_CHOICES = [(category.value, category.label) for category in Category]


class LegitimateInterest(models.TextChoices):
    """The legitimate interests the privacy notice names."""

    GOODS_AND_SERVICES = "goods_and_services", "Access to goods and services"
    PRODUCT_DEVELOPMENT = "product_development", "Product development"
    SECURITY = "security", "Security of data and systems"
    CUSTOMER_RELATIONSHIPS = "customer_relationships", "Customer relationships"
    COMMERCIAL = "commercial", "Commercial interests"


class Location(models.TextChoices):
    # The notice promises processing in the UK only: there is no other choice to make.
    UK = "uk", "United Kingdom"


class ProcessingActivity(models.Model):
    slug = models.SlugField(max_length=60, unique=True)
    name = models.CharField(max_length=120)
    position = models.PositiveSmallIntegerField(default=0)
    purpose = models.TextField(max_length=2000)
    legal_basis = models.CharField(max_length=30, choices=LEGAL_BASIS_CHOICES)
    legitimate_interest = models.CharField(
        max_length=30, choices=LegitimateInterest.choices, blank=True
    )
    balancing_summary = models.TextField(
        max_length=3000,
        blank=True,
        help_text="For legitimate interests: why the interest is not overridden by the "
        "rights and interests of the people concerned.",
    )
    people_categories = models.TextField("categories of people", max_length=1000)
    data_categories = models.JSONField(
        default=list, help_text="The data-map categories this activity covers."
    )
    recipients = models.TextField(max_length=1000)
    location = models.CharField(max_length=10, choices=Location.choices, default=Location.UK)
    security_measures = models.TextField(max_length=2000)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "processing_processingactivity"
        ordering = ["position", "name"]
        verbose_name_plural = "processing activities"

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        errors = {}
        unknown = set(self.data_categories or []) - {c.value for c in Category}
        if unknown:
            errors["data_categories"] = f"Not data-map categories: {', '.join(sorted(unknown))}."
        elif not self.data_categories:
            errors["data_categories"] = "Choose at least one category of data."
        if self.legal_basis == LegalBasis.LEGITIMATE_INTERESTS:
            if not self.legitimate_interest:
                errors["legitimate_interest"] = "Name the legitimate interest relied on."
            if not self.balancing_summary.strip():
                errors["balancing_summary"] = "Legitimate interests need a balancing summary."
        if errors:
            raise ValidationError(errors)

    def category_labels(self) -> list[str]:
        known = {category.value for category in Category}
        return [Category(value).label for value in self.data_categories if value in known]


class Processor(models.Model):
    """A service provider that processes data for the activity, where, and under what terms."""

    activity = models.ForeignKey(
        ProcessingActivity, on_delete=models.CASCADE, related_name="processors"
    )
    name = models.CharField(max_length=120)
    region = models.CharField(max_length=120, default="United Kingdom")
    safeguards = models.CharField(max_length=300)

    class Meta:
        db_table = "processing_processor"
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.region})"
