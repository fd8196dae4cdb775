from django.db import migrations

from records.defaults import REGISTER


def seed(apps, schema_editor):
    """Fill in what the register's defaults know: entries carried over from the seeded record,
    untouched since (no service yet), get their service, categories and places; missing ones
    are added. Entries the DPO wrote or changed are left as they are."""
    Processor = apps.get_model("records", "Processor")
    ProcessingActivity = apps.get_model("records", "ProcessingActivity")
    for spec in REGISTER:
        fields = {k: v for k, v in spec.items() if k not in {"name", "activities"}}
        processor = Processor.objects.filter(name=spec["name"]).first()
        if processor is None:
            processor = Processor.objects.create(name=spec["name"], **fields)
        elif not processor.service:
            Processor.objects.filter(pk=processor.pk).update(**fields)
        else:
            continue
        activities = ProcessingActivity.objects.filter(slug__in=spec["activities"])
        processor.activities.add(*activities)


class Migration(migrations.Migration):
    dependencies = [("records", "0004_processor_register")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
