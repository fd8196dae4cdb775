"""retention 0009 seeds the policies of the disclosure log, the admin site's log and the
erasure ledger on an existing deployment, leaves one the DPO already set alone, and its reverse
removes only the untouched defaults."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from retention.models import RetentionPolicy

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("retention", "0008_policy_basis_backups")]
AFTER = [("retention", "0009_disclosures_admin_log_ledger_policies")]
CATEGORIES = ("disclosures", "admin_log", "erasure_ledger")


def migrate(targets) -> None:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)


def seeded() -> dict[str, tuple]:
    return {
        p.category: (p.basis, p.days, p.action)
        for p in RetentionPolicy.objects.filter(category__in=CATEGORIES)
    }


def test_the_policies_are_seeded_and_one_the_dpo_set_is_kept():
    try:
        migrate(BEFORE)
        assert seeded() == {}
        untouched_before = set(RetentionPolicy.objects.values_list("category", "days"))
        migrate(AFTER)
        assert seeded() == {
            "disclosures": ("event", 2190, "delete"),
            "admin_log": ("event", 730, "delete"),
            "erasure_ledger": ("backups", 7, "delete"),
        }
        assert untouched_before <= set(RetentionPolicy.objects.values_list("category", "days"))

        migrate(BEFORE)
        assert seeded() == {}
        RetentionPolicy.objects.create(
            category="admin_log", basis="event", days=365, action="delete", rationale="DPO"
        )
        migrate(AFTER)
        assert seeded()["admin_log"] == ("event", 365, "delete")
        assert seeded()["disclosures"] == ("event", 2190, "delete")
        migrate(BEFORE)  # the reverse keeps what the DPO set
        assert seeded() == {"admin_log": ("event", 365, "delete")}
    finally:
        migrate(AFTER)
