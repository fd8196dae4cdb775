"""Seed the default retention policy of scheduled usage reports and exports (retention/defaults.py).

A policy the DPO has already set is left alone; the reverse removes only an untouched default
(retention/seeding.py).
"""

from django.db import migrations

from retention.seeding import seed_default_policies


class Migration(migrations.Migration):
    dependencies = [("retention", "0005_invitations_policy")]

    operations = [seed_default_policies("usage_reports")]
