"""The DPO's records: the disclosure log, the editable half of the Article 30 record of
processing (the other half is the data map, rendered), and the processor register.

The models came here from audit/ and processing/ and keep their tables (``db_table``): a
deployment's rows stay where they are.
"""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django_countries import countries

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
    # Where the company itself processes: the notice promises the UK only. Where processors
    # store and back up data, and under which safeguard, is the processor register's to say.
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


UK = "GB"
COUNTRY_NAMES = dict(countries)


def country_name(code: str) -> str:
    return str(COUNTRY_NAMES.get(code, code))


class Safeguard(models.TextChoices):
    """What makes a transfer out of the UK lawful (UK GDPR Articles 45 and 46)."""

    UK_ADEQUACY = "uk_adequacy", "UK adequacy regulations"
    IDTA = "idta", "International Data Transfer Agreement (IDTA)"
    UK_ADDENDUM = "uk_addendum", "UK Addendum to the EU Standard Contractual Clauses"


class Processor(models.Model):
    """A service provider in the processor register: what it does for us, which data it
    receives, where it stores and backs that data up, its agreement, its sub-processors, and
    the safeguard of each place outside the UK.

    ``transfers`` maps a country code to ``{"safeguard": ..., "date": "YYYY-MM-DD"}``;
    ``sub_processors`` is a list of ``{"name", "service", "country"}``. Both live on the row so
    that ``clean()`` sees a processor whole: one outside the UK without a safeguard for that
    place cannot be saved.
    """

    name = models.CharField(max_length=120, unique=True)
    service = models.TextField("what it does for us", max_length=500)
    data_categories = models.JSONField(
        default=list, help_text="The data-map categories the provider receives."
    )
    storage_countries = models.JSONField(default=list)
    backup_countries = models.JSONField(default=list, blank=True)
    agreement_date = models.DateField("data processing agreement dated", null=True, blank=True)
    no_own_use_clause = models.BooleanField(
        "the agreement forbids use for the provider's own purposes", default=False
    )
    sub_processors = models.JSONField(default=list, blank=True)
    transfers = models.JSONField(default=dict, blank=True)
    notes = models.TextField(max_length=2000, blank=True)
    activities = models.ManyToManyField(ProcessingActivity, related_name="processors", blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name

    def places(self) -> list[str]:
        """Every country the data is in with this provider: storage, backup, sub-processors."""
        found = [*self.storage_countries, *self.backup_countries]
        found += [sub.get("country", "") for sub in self.sub_processors if isinstance(sub, dict)]
        return list(dict.fromkeys(code for code in found if code))

    def places_abroad(self) -> list[str]:
        return [code for code in self.places() if code != UK]

    def clean(self) -> None:
        errors: dict[str, str] = {}
        unknown = set(self.data_categories or []) - {c.value for c in Category}
        if unknown:
            errors["data_categories"] = f"Not data-map categories: {', '.join(sorted(unknown))}."
        elif not self.data_categories:
            errors["data_categories"] = "Choose at least one category of data it receives."
        if not self.storage_countries:
            errors["storage_countries"] = "Say where the provider stores the data."
        for name in ("storage_countries", "backup_countries"):
            bad = [c for c in getattr(self, name) or [] if c not in COUNTRY_NAMES]
            if bad:
                errors[name] = f"Not countries: {', '.join(map(str, bad))}."
        if self.agreement_date is None:
            errors["agreement_date"] = "Give the date of the data processing agreement."
        elif self.agreement_date > timezone.localdate():
            errors["agreement_date"] = "The agreement's date is in the future."
        if not self.no_own_use_clause:
            errors["no_own_use_clause"] = (
                "The privacy notice promises that providers do not use the data for their own "
                "purposes: the agreement must say so."
            )
        sub_error = self._sub_processors_error()
        if sub_error:
            errors["sub_processors"] = sub_error
        transfer_error = self._transfers_error()
        if transfer_error:
            errors["transfers"] = transfer_error
        if errors:
            raise ValidationError(errors)

    def _sub_processors_error(self) -> str:
        if not isinstance(self.sub_processors, list):
            return "Sub-processors must be a list."
        for sub in self.sub_processors:
            if not isinstance(sub, dict) or not all(
                str(sub.get(key, "")).strip() for key in ("name", "service", "country")
            ):
                return "Each sub-processor needs a name, a service and a country."
            if sub["country"] not in COUNTRY_NAMES:
                return f"{sub['name']}: not a country."
        return ""

    def _transfers_error(self) -> str:
        if not isinstance(self.transfers, dict):
            return "Transfers must map each country to its safeguard."
        places = self.places()
        problems = []
        for code in self.places_abroad():
            transfer = self.transfers.get(code)
            if not isinstance(transfer, dict) or transfer.get("safeguard") not in Safeguard.values:
                problems.append(f"{country_name(code)} is outside the UK: give its safeguard.")
                continue
            try:
                day = datetime.date.fromisoformat(str(transfer.get("date", "")))
            except ValueError:
                problems.append(f"{country_name(code)}: give the date of its safeguard.")
                continue
            if day > timezone.localdate():
                problems.append(f"{country_name(code)}: the safeguard's date is in the future.")
        for code in self.transfers:
            if code == UK or code not in places:
                problems.append(f"{country_name(code)} is not a place abroad this provider uses.")
        return " ".join(problems)

    def safeguard_of(self, code: str) -> tuple[str, datetime.date] | None:
        """The label and date of the safeguard for a country abroad, None for none."""
        transfer = self.transfers.get(code) if isinstance(self.transfers, dict) else None
        if not isinstance(transfer, dict) or transfer.get("safeguard") not in Safeguard.values:
            return None
        try:
            day = datetime.date.fromisoformat(str(transfer.get("date", "")))
        except ValueError:
            return None
        return Safeguard(transfer["safeguard"]).label, day
