from django.db import migrations

from records.defaults import ACTIVITIES, SECURITY, register_link


def seed(apps, schema_editor):
    """One activity per purpose of the privacy notice, into an empty record only: a deployment
    that had the processing app keeps its record as the DPO left it."""
    ProcessingActivity = apps.get_model("records", "ProcessingActivity")
    Processor = apps.get_model("records", "Processor")
    if ProcessingActivity.objects.exists():
        return
    # Tests run this again with today's models, where processors live in the register that
    # 0005_seed_processor_register seeds: then the register's providers are linked instead.
    per_activity = any(field.name == "activity" for field in Processor._meta.get_fields())
    for position, spec in enumerate(ACTIVITIES):
        fields = {k: v for k, v in spec.items() if k not in {"slug", "processors"}}
        activity = ProcessingActivity.objects.create(
            slug=spec["slug"], position=position, security_measures=SECURITY, **fields
        )
        for processor in spec["processors"] if per_activity else ():
            Processor.objects.create(activity=activity, **processor)
    if not per_activity:
        register_link(Processor.objects.all(), ProcessingActivity.objects.all())


class Migration(migrations.Migration):
    dependencies = [("records", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
