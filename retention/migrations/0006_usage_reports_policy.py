"""Seed the default retention policy of scheduled usage reports and exports (retention/defaults.py).

A policy the DPO has already set is left alone; the reverse removes only an untouched default.
"""

from django.db import migrations

from retention.defaults import DEFAULT_POLICIES

CATEGORY = "usage_reports"


def seed(apps, schema_editor):
    RetentionPolicy = apps.get_model("retention", "RetentionPolicy")
    for default in DEFAULT_POLICIES:
        if default.category != CATEGORY:
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
        if default.category == CATEGORY:
            RetentionPolicy.objects.filter(
                category=default.category, basis=default.basis, days=default.days
            ).delete()


class Migration(migrations.Migration):
    dependencies = [("retention", "0005_invitations_policy")]

    operations = [migrations.RunPython(seed, unseed)]
