"""The erasure ledger's basis: kept while a backup older than the entry is kept, then N days.

Choices only: no SQL on either database."""
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('retention', '0007_erasure_ledger'),
    ]

    operations = [
        migrations.AlterField(
            model_name='retentionpolicy',
            name='basis',
            field=models.CharField(choices=[('account', 'While the account is active, then N days after it ends'), ('event', 'N days after the event'), ('closure', 'N days after closure or the decision'), ('indefinite', 'Never purged by the schedule'), ('backups', 'While a backup older than it is kept, then N days')], max_length=16),
        ),
    ]
