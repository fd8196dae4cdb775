"""The investigation a breach came from is now security's model, on the same table: only
Django's state changes (the foreign key and its constraint stay as they are)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("breaches", "0001_initial"),
        ("security", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.AlterField(
                    model_name="breach",
                    name="investigation",
                    field=models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="breaches",
                        to="security.investigation",
                    ),
                ),
            ],
        ),
    ]
