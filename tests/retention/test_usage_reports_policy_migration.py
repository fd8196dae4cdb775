"""retention 0006 seeds the "usage_reports" policy and leaves one the DPO already set alone;
its reverse removes only the untouched default."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from retention.models import RetentionPolicy

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("retention", "0005_invitations_policy")]
AFTER = [("retention", "0006_usage_reports_policy")]


def migrate(targets) -> None:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)


def test_the_policy_is_seeded_and_one_the_dpo_set_is_kept():
    try:
        migrate(BEFORE)
        assert not RetentionPolicy.objects.filter(category="usage_reports").exists()
        migrate(AFTER)
        seeded = RetentionPolicy.objects.get(category="usage_reports")
        assert (seeded.basis, seeded.days, seeded.action) == ("event", 365, "delete")

        migrate(BEFORE)
        assert not RetentionPolicy.objects.filter(category="usage_reports").exists()
        RetentionPolicy.objects.create(
            category="usage_reports", basis="event", days=90, action="delete", rationale="DPO"
        )
        migrate(AFTER)
        assert RetentionPolicy.objects.get(category="usage_reports").days == 90
        migrate(BEFORE)  # the reverse keeps what the DPO set
        assert RetentionPolicy.objects.get(category="usage_reports").days == 90
    finally:
        migrate(AFTER)
