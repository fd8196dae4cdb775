from django.db import migrations

from records.defaults import ACTIVITIES, SECURITY


def seed(apps, schema_editor):
    """One activity per purpose of the privacy notice, into an empty record only: a deployment
    that had the processing app keeps its record as the DPO left it."""
    ProcessingActivity = apps.get_model("records", "ProcessingActivity")
    Processor = apps.get_model("records", "Processor")
    if ProcessingActivity.objects.exists():
        return
    for position, spec in enumerate(ACTIVITIES):
        fields = {k: v for k, v in spec.items() if k not in {"slug", "processors"}}
        activity = ProcessingActivity.objects.create(
            slug=spec["slug"], position=position, security_measures=SECURITY, **fields
        )
        for processor in spec["processors"]:
            Processor.objects.create(activity=activity, **processor)


class Migration(migrations.Migration):
    dependencies = [("records", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
