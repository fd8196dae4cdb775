from django.db import migrations

from records.defaults import REGISTER, register_link


def seed(apps, schema_editor):
    """Fill in what the register's defaults know: entries carried over from the seeded record,
    untouched since (no service yet), get their service, categories and places; missing ones
    are added. Entries the DPO wrote or changed are left as they are."""
    Processor = apps.get_model("records", "Processor")
    ProcessingActivity = apps.get_model("records", "ProcessingActivity")
    seeded = []
    for spec in REGISTER:
        fields = {k: v for k, v in spec.items() if k not in {"name", "activities"}}
        processor = Processor.objects.filter(name=spec["name"]).first()
        if processor is None:
            Processor.objects.create(name=spec["name"], **fields)
        elif not processor.service:
            Processor.objects.filter(pk=processor.pk).update(**fields)
        else:
            continue
        seeded.append(spec["name"])
    register_link(Processor.objects.filter(name__in=seeded), ProcessingActivity.objects.all())


class Migration(migrations.Migration):
    dependencies = [("records", "0004_processor_register")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
