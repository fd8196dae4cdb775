"""Seeding the default retention policies (retention/defaults.py) from data migrations.

A policy the DPO has already set is left alone; the reverse removes only an untouched default
(the same category, basis and days). Migrations 0002-0006 and 0009 run this code when they
are applied, so a change here changes what they do on a fresh database.
"""

from functools import partial

from django.db import migrations

from retention.defaults import DEFAULT_POLICIES


def _defaults(categories: tuple[str, ...]):
    return [d for d in DEFAULT_POLICIES if not categories or d.category in categories]


def seed(apps, schema_editor, *, categories: tuple[str, ...] = ()) -> None:
    RetentionPolicy = apps.get_model("retention", "RetentionPolicy")
    for default in _defaults(categories):
        RetentionPolicy.objects.get_or_create(
            category=default.category,
            defaults={
                "basis": default.basis,
                "days": default.days,
                "action": default.action,
                "rationale": default.rationale,
            },
        )


def unseed(apps, schema_editor, *, categories: tuple[str, ...] = ()) -> None:
    RetentionPolicy = apps.get_model("retention", "RetentionPolicy")
    for default in _defaults(categories):
        RetentionPolicy.objects.filter(
            category=default.category, basis=default.basis, days=default.days
        ).delete()


def seed_default_policies(*categories: str) -> migrations.RunPython:
    """The migration operation that seeds the defaults of ``categories`` (all when none)."""
    return migrations.RunPython(
        partial(seed, categories=categories),
        partial(unseed, categories=categories),
    )
