"""Heavy reads go to the replica, everything else to the primary (common/db_routing.py).

The replica here is Django's test mirror of the default database: a connection of its own to
the same test database, so each test commits (transactional tests) and the queries each
connection ran tell where a read went. A mirror is no standby, so its lag always reads 0: the
lag query against a real streaming standby runs only in the cluster's drills (make cluster-test).
"""

import datetime
import zipfile

import pytest
import time_machine
from django.contrib.sessions.backends.db import SessionStore
from django.db import OperationalError, connections, transaction
from django.http import HttpResponse
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import Organisation
from common import db_routing
from common.db_routing import REPLICA, ReadYourWritesMiddleware, heavy_alias, heavy_reads
from dsar.executors.access import access_package_build
from dsar.executors.package_files import package_open
from dsar.services.filing import rights_request_file
from tests.archives import entry_rows
from tests.common.replica import fresh_replica, replica_mirror  # noqa: F401 (fixtures)
from tests.factories import (
    ClientAdminFactory,
    DpoFactory,
    OrganisationFactory,
    UserFactory,
    api_key_for,
)
from tests.usage.test_reports import rollup
from usage.selectors import usage_report

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True, databases=["default", "ledger", "replica"]),
    pytest.mark.usefixtures("fresh_replica"),
]

D1, D2 = datetime.date(2026, 11, 2), datetime.date(2026, 11, 3)
REPORT = f"/console/usage/?start={D1}&end={D2}&group_by=user"
ROLLUP_TABLE = "usage_dailyuserusage"


def ran_on(captured: CaptureQueriesContext, table: str) -> int:
    """How many of the captured statements read ``table``."""
    return sum(table in query["sql"] for query in captured.captured_queries)


@pytest.fixture
def acme():
    """GIVEN Acme, where Ann used the product on two days, and a client admin of Acme."""
    org = OrganisationFactory(name="Acme")
    ann = UserFactory(organisation=org, full_name="Ann Able", email="ann@acme.test")
    rollup(org, ann, D1, "reports", 10, 60_000)
    rollup(org, ann, D2, "export", 2, 5_000)
    return org


@pytest.fixture
def captured():
    """Queries run on each connection while the test's WHEN runs: ``with captured() as (on_primary,
    on_replica): ...``."""

    class Both:
        def __enter__(self):
            self.on_primary = CaptureQueriesContext(connections["default"]).__enter__()
            self.on_replica = CaptureQueriesContext(connections[REPLICA]).__enter__()
            return self.on_primary, self.on_replica

        def __exit__(self, *exc):
            self.on_replica.__exit__(*exc)
            self.on_primary.__exit__(*exc)

    return Both


def test_the_report_page_reads_the_replica_and_records_its_disclosure_on_the_primary(
    acme, verified_client, captured
):
    client = verified_client(ClientAdminFactory(organisation=acme))

    with captured() as (on_primary, on_replica):
        response = client.get(REPORT)

    assert response.status_code == 200
    assert "Ann Able" in response.content.decode()
    assert ran_on(on_replica, ROLLUP_TABLE) >= 1
    assert ran_on(on_primary, ROLLUP_TABLE) == 0
    # The page's own bookkeeping is a write: the primary takes it.
    assert any(q["sql"].startswith("INSERT") for q in on_primary.captured_queries)
    assert not any(q["sql"].startswith(("INSERT", "UPDATE")) for q in on_replica.captured_queries)


def test_ordinary_reads_and_writes_stay_on_the_primary(acme, captured):
    with captured() as (on_primary, on_replica):
        organisation = Organisation.objects.get(pk=acme.pk)
        organisation.name = "Acme Ltd"
        organisation.save(update_fields=["name"])

    assert on_replica.captured_queries == []
    assert len(on_primary.captured_queries) == 2


def test_an_object_read_from_the_replica_is_saved_on_the_primary(acme, captured):
    @heavy_reads
    def read():
        return Organisation.objects.get(pk=acme.pk)

    organisation = read()
    assert organisation._state.db == REPLICA
    with captured() as (_on_primary, on_replica):
        organisation.name = "Acme Ltd"
        organisation.save(update_fields=["name"])

    assert on_replica.captured_queries == []
    assert Organisation.objects.get(pk=acme.pk).name == "Acme Ltd"


def test_inside_a_transaction_heavy_reads_stay_on_the_primary(acme, captured):
    """A transaction's reads must see its own writes, which the replica has not."""
    with captured() as (on_primary, on_replica), transaction.atomic():
        report = usage_report(organisation=acme, start=D1, end=D2, group_by="user")

    assert report.total_events == 12
    assert ran_on(on_replica, ROLLUP_TABLE) == 0
    assert ran_on(on_primary, ROLLUP_TABLE) >= 1


def test_a_session_that_wrote_reads_the_primary_for_a_few_seconds(
    acme, verified_client, captured, settings
):
    settings.READ_YOUR_WRITES_SECONDS = 10
    client = verified_client(ClientAdminFactory(organisation=acme))
    client.get(REPORT)  # a page view that records a disclosure: no write of the reader's own
    with captured() as (on_primary, on_replica):
        client.get(REPORT)
    assert ran_on(on_replica, ROLLUP_TABLE) >= 1, "a GET's bookkeeping pinned the session"

    # WHEN the admin downloads the organisation's export: a POST that writes.
    assert client.post("/console/usage/organisation-export/").status_code == 200
    with captured() as (on_primary, on_replica):
        assert "Ann Able" in client.get(REPORT).content.decode()
    assert ran_on(on_primary, ROLLUP_TABLE) >= 1
    assert ran_on(on_replica, ROLLUP_TABLE) == 0

    with (
        time_machine.travel(timezone.now() + datetime.timedelta(seconds=11)),
        captured() as (on_primary, on_replica),
    ):
        client.get(REPORT)
    assert ran_on(on_replica, ROLLUP_TABLE) >= 1
    assert ran_on(on_primary, ROLLUP_TABLE) == 0


def test_an_integration_that_writes_starts_no_session_and_keeps_reading_the_replica(
    acme, client, captured
):
    """An API key's POST writes, but the key has no session to pin: a session started for it
    would send each of the integration's reports to the primary."""
    _, key = api_key_for(acme, scopes=["dsar", "usage:read"])
    auth = {"HTTP_AUTHORIZATION": f"Api-Key {key}"}
    filed = client.post(
        "/api/v1/rights-requests/",
        {"kind": "access", "requester_name": "Pat", "requester_email": "pat@example.test"},
        content_type="application/json",
        **auth,
    )
    assert filed.status_code == 201
    assert "sessionid" not in filed.cookies

    with captured() as (on_primary, on_replica):
        report = client.get(f"/api/v1/usage/report/?start={D1}&end={D2}&group_by=user", **auth)

    assert report.status_code == 200
    assert ran_on(on_replica, ROLLUP_TABLE) >= 1
    assert ran_on(on_primary, ROLLUP_TABLE) == 0


def test_a_replica_too_far_behind_leaves_heavy_reads_to_the_primary(acme, settings, captured):
    settings.REPLICA_MAX_LAG_SECONDS = -1  # a mirror is never behind: any lag is too much
    with captured() as (_on_primary, on_replica):
        report = usage_report(organisation=acme, start=D1, end=D2, group_by="user")

    assert report.total_events == 12
    assert ran_on(on_replica, ROLLUP_TABLE) == 0


def test_a_replica_that_is_down_leaves_heavy_reads_to_the_primary_without_an_error(acme, settings):
    settings.REPLICA_RETRY_SECONDS = 0
    standby = connections[REPLICA]
    port = standby.settings_dict["PORT"]
    standby.close()
    standby.settings_dict["PORT"] = 1  # nothing listens there: connection refused
    try:
        report = usage_report(organisation=acme, start=D1, end=D2, group_by="user")
        assert report.total_events == 12
        assert heavy_alias() == "default"
    finally:
        standby.close()
        standby.settings_dict["PORT"] = port
    db_routing.replica_state_forget()
    assert heavy_alias() == REPLICA, "a replica back up takes the heavy reads again"


def test_a_replica_that_fails_mid_read_hands_the_same_reads_to_the_primary(acme, settings):
    """GIVEN a replica found fit a moment ago, WHEN its connection dies before the report's
    queries, THEN the report comes whole from the primary and the replica is left alone."""
    settings.REPLICA_CHECK_SECONDS = 60  # the fit verdict stays cached
    assert heavy_alias() == REPLICA
    with connections[REPLICA].cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    with connections["default"].cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(%s)", [pid])

    report = usage_report(organisation=acme, start=D1, end=D2, group_by="user")

    assert report.total_events == 12
    assert heavy_alias() == "default"


def test_an_access_package_is_read_from_a_caught_up_replica_while_its_request_is_locked(
    settings, tmp_path, captured
):
    settings.MEDIA_ROOT = tmp_path
    request = rights_request_file(
        kind="access",
        requester_name="Pat Public",
        requester_email="pat@example.test",
        channel="web_form",
        verified=True,
    )

    with captured() as (on_primary, on_replica):
        package = access_package_build(request=request, by=DpoFactory())

    # The package's reads (its COPY statements bypass the query log) took the replica; the
    # request's lock, the package's record and its timeline the primary.
    assert ran_on(on_replica, "retention_retentionpolicy") == 1
    assert ran_on(on_primary, "retention_retentionpolicy") == 0
    assert ran_on(on_primary, 'INSERT INTO "dsar_accesspackage"') == 1
    with zipfile.ZipFile(package_open(package)) as archive:
        assert [row["requester_name"] for row in entry_rows(archive, "dsar.requests")] == [
            "Pat Public"
        ]


def test_a_request_that_wrote_reads_its_own_write_from_the_primary(acme, captured):
    """A POST that changes something and then reads a report in the same request sees its
    change, whatever the replica has replayed."""

    def view(request):
        ann = acme.users.get()
        ann.full_name = "Ann Changed"
        ann.save(update_fields=["full_name"])
        report = usage_report(organisation=acme, start=D1, end=D2, group_by="user")
        return HttpResponse(report.rows[0].label)

    request = RequestFactory().post("/console/anything/")
    request.session = SessionStore()
    with captured() as (on_primary, on_replica):
        response = ReadYourWritesMiddleware(view)(request)

    assert response.content.decode() == "Ann Changed"
    assert ran_on(on_replica, ROLLUP_TABLE) == 0
    assert ran_on(on_primary, ROLLUP_TABLE) >= 1


def test_an_error_that_broke_the_primarys_transaction_is_the_callers_not_retried():
    """GIVEN a build that reads the replica while it holds a transaction on the primary, WHEN a
    statement on the primary fails, THEN the caller sees that error, not "transaction is
    aborted" from a run again on the primary."""

    @heavy_reads(caught_up=True)
    def build():
        with connections["default"].cursor() as cursor:
            cursor.execute("SET LOCAL statement_timeout = '10ms'")
            cursor.execute("SELECT pg_sleep(1)")

    with pytest.raises(OperationalError, match="statement timeout"), transaction.atomic():
        build()
