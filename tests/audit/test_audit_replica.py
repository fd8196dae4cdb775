"""The trail with a read replica configured (common.db_routing): an entry written, or blanked,
from inside a heavy function still chains to, and changes, the primary's trail."""

import pytest
from django.db import connections
from django.test.utils import CaptureQueriesContext

import audit
from audit.models import AuditEntry
from audit.services import audit_chain_verify, audit_personal_details_erase
from common.db_routing import REPLICA, heavy_alias, heavy_reads
from tests.common.replica import fresh_replica, replica_mirror  # noqa: F401 (fixtures)

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True, databases=["default", "ledger", "replica"]),
    pytest.mark.usefixtures("fresh_replica"),
]


def touched_the_trail(queries: CaptureQueriesContext) -> list[str]:
    return [q["sql"] for q in queries.captured_queries if "audit_auditentry" in q["sql"]]


def test_an_entry_recorded_inside_a_heavy_function_chains_to_the_primarys_head():
    """GIVEN a heavy function, whose reads go to the replica (which may lag the primary)
    WHEN it records an audit entry
    THEN the entry's parent is read on the primary, so the chain cannot fork on a stale head."""
    first = audit.record(None, "user.suspend")

    @heavy_reads
    def report_then_record():
        assert heavy_alias() == REPLICA
        return audit.record(None, "usage.report_view")

    with CaptureQueriesContext(connections[REPLICA]) as on_replica:
        entry = report_then_record()

    assert touched_the_trail(on_replica) == []
    assert entry.prev_hash == first.hash
    assert audit_chain_verify().intact


def test_a_blanking_inside_a_heavy_function_writes_the_primary():
    """The rows are locked on the primary; an UPDATE sent through the replica's connection
    would wait for those locks, held by this very process, for ever."""
    entry = audit.record(None, "user.suspend", details={"email": "pat@example.test"})

    @heavy_reads
    def erase():
        return audit_personal_details_erase(
            entries=AuditEntry.objects.filter(pk=entry.pk),
            fields=lambda e: ["details.email"],
            because={"reason": "erasure"},
        )

    with CaptureQueriesContext(connections[REPLICA]) as on_replica:
        assert erase() == 1

    assert touched_the_trail(on_replica) == []
    assert AuditEntry.objects.get(pk=entry.pk).details == {}
