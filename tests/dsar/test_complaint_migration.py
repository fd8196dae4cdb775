"""Migrating a database with complaints filed before the acknowledgement clock keeps every
row and gives each complaint its clock; the acknowledgement letter is reworded unless the DPO
had edited it."""

import datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from dsar.models import LetterTemplate, RightsRequest
from dsar.services.letters import DEFAULT_LETTERS

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("requires_postgres"),
]

BEFORE = ("dsar", "0004_package_ready_letter")
UTC = datetime.UTC


def test_complaints_filed_before_get_their_clock_and_those_verified_were_acknowledged():
    """GIVEN a database before the complaint clock: a verified complaint received late on a
    summer evening, one never confirmed, and an access request
    WHEN it migrates to today's migrations
    THEN each complaint is to be acknowledged by the 30th day from its UK day of receipt; the
    verified one was acknowledged when verified (the letter went then); the access request
    has no clock; the letters are today's."""
    executor = MigrationExecutor(connection)
    executor.migrate([BEFORE])
    old = executor.loader.project_state([BEFORE]).apps.get_model("dsar", "RightsRequest")
    common = {"channel": "web_form", "requester_name": "Ann", "requester_email": "a@x.test"}
    verified_at = datetime.datetime(2026, 6, 29, 8, tzinfo=UTC)
    old.objects.create(
        reference="RR-2026-000001",
        kind="complaint",
        state="verified",
        received_at=datetime.datetime(2026, 6, 28, 23, 30, tzinfo=UTC),  # 00:30 BST, 29 June
        verified_at=verified_at,
        **common,
    )
    old.objects.create(
        reference="RR-2026-000002",
        kind="complaint",
        state="awaiting_verification",
        received_at=datetime.datetime(2026, 7, 1, 9, tzinfo=UTC),
        **common,
    )
    old.objects.create(
        reference="RR-2026-000003",
        kind="access",
        state="verified",
        received_at=datetime.datetime(2026, 7, 1, 9, tzinfo=UTC),
        **common,
    )

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())

    verified = RightsRequest.objects.get(reference="RR-2026-000001")
    assert verified.acknowledge_by == datetime.date(2026, 7, 28)
    assert verified.acknowledged_at == verified_at
    assert verified.acknowledged_how == "E-mailed automatically when the e-mail was confirmed"
    unconfirmed = RightsRequest.objects.get(reference="RR-2026-000002")
    assert unconfirmed.acknowledge_by == datetime.date(2026, 7, 30)
    assert unconfirmed.acknowledged_at is None
    access = RightsRequest.objects.get(reference="RR-2026-000003")
    assert access.acknowledge_by is None
    for key in ("complaint_acknowledgement", "complaint_outcome"):
        assert LetterTemplate.objects.get(key=key).body == DEFAULT_LETTERS[key][1]
