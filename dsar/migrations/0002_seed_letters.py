"""Seed the standard letters the DPO can then edit."""

from django.db import migrations


def seed(apps, schema_editor):
    # Imported when the migration runs, not when the loader reads every migration file.
    from dsar.services.letters import DEFAULT_LETTERS

    LetterTemplate = apps.get_model("dsar", "LetterTemplate")
    for key, (title, body) in DEFAULT_LETTERS.items():
        LetterTemplate.objects.get_or_create(key=key, defaults={"title": title, "body": body})


def unseed(apps, schema_editor):
    # Imported when the migration runs, not when the loader reads every migration file.
    from dsar.services.letters import DEFAULT_LETTERS

    apps.get_model("dsar", "LetterTemplate").objects.filter(key__in=DEFAULT_LETTERS).delete()


class Migration(migrations.Migration):
    dependencies = [("dsar", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
