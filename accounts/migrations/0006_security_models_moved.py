"""Backup codes, sessions and investigations moved to security (issue 13): they leave accounts'
state only; their tables and rows stay, now security's (security 0001)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0005_communications_moved_out"),
        ("security", "0001_initial"),
        # Nothing may point at accounts.Investigation any more when it leaves.
        ("breaches", "0002_investigation_in_security"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.DeleteModel(name="BackupCode"),
                migrations.DeleteModel(name="BackupCodeDevice"),
                migrations.DeleteModel(name="InvestigationNote"),
                migrations.DeleteModel(name="Investigation"),
                migrations.DeleteModel(name="UserSession"),
            ],
        ),
    ]
