"""Seed the default retention policies of the disclosure log, the admin site's log and the
erasure ledger (retention/defaults.py), which until now sat in the "audit" category.

A policy the DPO has already set is left alone; the reverse removes only untouched defaults
(retention/seeding.py).
"""

from django.db import migrations

from retention.seeding import seed_default_policies


class Migration(migrations.Migration):
    dependencies = [("retention", "0008_policy_basis_backups")]

    operations = [seed_default_policies("disclosures", "admin_log", "erasure_ledger")]
