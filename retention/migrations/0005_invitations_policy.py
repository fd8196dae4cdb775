"""Seed the default retention policy of expired invitations (retention/defaults.py).

A policy the DPO has already set is left alone; the reverse removes only an untouched default
(retention/seeding.py).
"""

from django.db import migrations

from retention.seeding import seed_default_policies


class Migration(migrations.Migration):
    dependencies = [("retention", "0004_usage_dead_letters_policy")]

    operations = [seed_default_policies("invitations")]
