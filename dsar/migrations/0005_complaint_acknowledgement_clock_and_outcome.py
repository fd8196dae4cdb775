"""Complaints get the 30-day acknowledgement clock (Data Protection Act 2018 s.164A) and an
outcome. Every complaint already filed gets its clock from its day of receipt; one whose
requester was verified was acknowledged then, by the letter the app sent on verification."""

import datetime
import zoneinfo

import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models

UK = zoneinfo.ZoneInfo("Europe/London")


def clock_existing_complaints(apps, schema_editor):
    RightsRequest = apps.get_model("dsar", "RightsRequest")
    for complaint in RightsRequest.objects.filter(kind="complaint").iterator():
        received_on = complaint.received_at.astimezone(UK).date()
        complaint.acknowledge_by = received_on + datetime.timedelta(days=29)
        if complaint.verified_at is not None:
            complaint.acknowledged_at = complaint.verified_at
            complaint.acknowledged_by_label = "system"
            complaint.acknowledged_how = "E-mailed automatically when the e-mail was confirmed"
        complaint.save(
            update_fields=[
                "acknowledge_by",
                "acknowledged_at",
                "acknowledged_by_label",
                "acknowledged_how",
            ]
        )


class Migration(migrations.Migration):

    dependencies = [
        ('dsar', '0004_package_ready_letter'),
    ]

    operations = [
        migrations.AddField(
            model_name='rightsrequest',
            name='acknowledge_by',
            field=models.DateField(blank=True, db_index=True, null=True),
        ),
        migrations.AddField(
            model_name='rightsrequest',
            name='acknowledged_at',
            field=models.DateTimeField(blank=True, help_text='When the acknowledgement was sent (or made by hand).', null=True),
        ),
        migrations.AddField(
            model_name='rightsrequest',
            name='acknowledged_by_label',
            field=models.CharField(blank=True, max_length=254),
        ),
        migrations.AddField(
            model_name='rightsrequest',
            name='acknowledged_how',
            field=models.CharField(blank=True, max_length=200),
        ),
        migrations.AddField(
            model_name='rightsrequest',
            name='complaint_outcome',
            field=models.CharField(blank=True, choices=[('upheld', 'Upheld'), ('partly_upheld', 'Partly upheld'), ('not_upheld', 'Not upheld')], max_length=16),
        ),
        migrations.CreateModel(
            name='ComplaintAlert',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('kind', models.CharField(choices=[('ack_due_soon', 'Acknowledgement due soon'), ('ack_overdue', 'Acknowledgement overdue'), ('outcome_overdue', 'Outcome overdue')], max_length=16)),
                ('sent_at', models.DateTimeField(default=django.utils.timezone.now)),
                ('request', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='complaint_alerts', to='dsar.rightsrequest')),
            ],
            options={
                'constraints': [models.UniqueConstraint(fields=('request', 'kind'), name='dsar_complaint_alert_once')],
            },
        ),
        migrations.RunPython(clock_existing_complaints, migrations.RunPython.noop),
    ]
