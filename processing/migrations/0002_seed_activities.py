from django.db import migrations


def seed(apps, schema_editor):
    """One activity per purpose of the privacy notice; idempotent, and never overwrites edits."""
    from processing.defaults import ACTIVITIES, SECURITY

    ProcessingActivity = apps.get_model("processing", "ProcessingActivity")
    Processor = apps.get_model("processing", "Processor")
    for position, spec in enumerate(ACTIVITIES):
        fields = {k: v for k, v in spec.items() if k not in {"slug", "processors"}}
        activity, created = ProcessingActivity.objects.get_or_create(
            slug=spec["slug"],
            defaults={**fields, "position": position, "security_measures": SECURITY},
        )
        if created:
            for processor in spec["processors"]:
                Processor.objects.create(activity=activity, **processor)


class Migration(migrations.Migration):
    dependencies = [("processing", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
