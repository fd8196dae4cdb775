"""The columns of scheme 3 (audit.chain): a salt, the commitments, the MAC before the
conversion, and the erased markers, which the chain does not cover. Schema only: 0009 fills
them."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('audit', '0007_disclosures_to_records'),
    ]

    operations = [
        migrations.AddField(
            model_name='auditentry',
            name='commitments',
            field=models.JSONField(blank=True, default=dict),
        ),
        migrations.AddField(
            model_name='auditentry',
            name='erased_at',
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name='auditentry',
            name='erased_fields',
            field=models.JSONField(blank=True, default=dict),
        ),
        migrations.AddField(
            model_name='auditentry',
            name='legacy_hash',
            field=models.CharField(blank=True, max_length=64),
        ),
        migrations.AddField(
            model_name='auditentry',
            name='salt',
            field=models.CharField(blank=True, max_length=32),
        ),
        migrations.AlterField(
            model_name='auditanchor',
            name='kind',
            field=models.CharField(choices=[('cutover', 'Cut-over to the keyed chain'), ('checkpoint', 'Conversion to committed personal details'), ('nightly', 'Nightly'), ('verify', 'Verification on request')], max_length=10),
        ),
    ]
