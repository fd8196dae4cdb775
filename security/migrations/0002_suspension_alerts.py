"""Investigations record when staff were e-mailed of a provisional suspension and reminded of
its review. Every row is kept; suspensions opened before the alerts existed count as alerted
(staff already saw them in the queue), so the first beat does not mail each one as new."""

from django.db import migrations, models
from django.db.models import F


def mark_existing_alerted(apps, schema_editor):
    Investigation = apps.get_model("security", "Investigation")
    Investigation.objects.filter(account_suspended=True).update(staff_alerted_at=F("opened_at"))


class Migration(migrations.Migration):
    dependencies = [("security", "0001_initial")]

    operations = [
        migrations.AddField(
            model_name="investigation",
            name="review_reminder_sent_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="investigation",
            name="staff_alerted_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.RunPython(mark_existing_alerted, migrations.RunPython.noop),
    ]
