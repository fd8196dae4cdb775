"""Seed the default retention schedule (retention/defaults.py, documented in the README).

A policy the DPO has already set is left alone; the reverse removes only untouched defaults.
"""

from django.db import migrations

from retention.defaults import DEFAULT_POLICIES


def seed(apps, schema_editor):
    RetentionPolicy = apps.get_model("retention", "RetentionPolicy")
    for default in DEFAULT_POLICIES:
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
        RetentionPolicy.objects.filter(
            category=default.category, basis=default.basis, days=default.days
        ).delete()


class Migration(migrations.Migration):
    dependencies = [("retention", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
