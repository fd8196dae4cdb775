"""The disclosure log moves to the records app: audit forgets its models, the tables stay.

State only: records/migrations/0001_initial.py takes the models over with the same tables
(audit_disclosure, audit_disclosuresubject), so no row moves and nothing is dropped.
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("audit", "0006_app_role_grants")]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name="DisclosureSubject"),
                migrations.DeleteModel(name="Disclosure"),
            ],
            database_operations=[],
        )
    ]
