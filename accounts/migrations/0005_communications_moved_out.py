# Subscriptions and marketing sends moved to the communications app, which took over their
# tables in its 0001. Only Django's state changes here: no table is dropped.

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0004_email_changes"),
        ("communications", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.DeleteModel(name="MarketingDelivery"),
                migrations.DeleteModel(name="MarketingSend"),
                migrations.DeleteModel(name="CommunicationPreferences"),
            ],
        ),
    ]
