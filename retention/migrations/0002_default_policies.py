"""Seed the default retention schedule (retention/defaults.py, documented in the README).

A policy the DPO has already set is left alone; the reverse removes only untouched defaults
(retention/seeding.py).
"""

from django.db import migrations

from retention.seeding import seed_default_policies


class Migration(migrations.Migration):
    dependencies = [("retention", "0001_initial")]

    operations = [seed_default_policies()]
