"""Seed the default retention policies of the disclosure log, the admin site's log and the
erasure ledger (retention/defaults.py), which until now sat in the "audit" category.

A policy the DPO has already set is left alone; the reverse removes only untouched defaults.
"""

from django.db import migrations

from retention.defaults import DEFAULT_POLICIES

CATEGORIES = ("disclosures", "admin_log", "erasure_ledger")


def seed(apps, schema_editor):
    RetentionPolicy = apps.get_model("retention", "RetentionPolicy")
    for default in DEFAULT_POLICIES:
        if default.category not in CATEGORIES:
            continue
        RetentionPolicy.objects.get_or_create(
            category=default.category,
            defaults={
                "basis": default.basis,
                "days": default.days,
                "action": default.action,
                "rationale": default.rationale,
            },
        )


def unseed(apps, schema_editor):
    RetentionPolicy = apps.get_model("retention", "RetentionPolicy")
    for default in DEFAULT_POLICIES:
        if default.category in CATEGORIES:
            RetentionPolicy.objects.filter(
                category=default.category, basis=default.basis, days=default.days
            ).delete()


class Migration(migrations.Migration):
    dependencies = [("retention", "0008_policy_basis_backups")]

    operations = [migrations.RunPython(seed, unseed)]
