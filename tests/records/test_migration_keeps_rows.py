"""The disclosure log (from audit/) and the record of processing (from processing/) moved to
records/ with their tables: migrating a database of the old layout keeps every row."""

import datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.recorder import MigrationRecorder

from records.models import Disclosure, DisclosureSubject, ProcessingActivity
from tests.factories import OrganisationFactory, UserFactory

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("requires_postgres"),
]

# The last migration before the move; the other apps stay where they are.
BEFORE_THE_MOVE = ("audit", "0006_app_role_grants")
MOVED_TABLES = {
    "audit_disclosure": Disclosure,
    "audit_disclosuresubject": DisclosureSubject,
    "processing_processingactivity": ProcessingActivity,
}
# The per-activity processors became the processor register since (records 0004): their rows
# are checked there, by what the register holds (test_processor_register_migration.py).


def table_rows(table: str) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)} ORDER BY id")  # noqa: S608
        return cursor.fetchall()


def write_the_old_processing_rows() -> None:
    """As the processing app wrote them: its app and migrations are gone, so no historical
    model is left to write with, only its tables."""
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE processing_processingactivity SET purpose = %s WHERE slug = 'support'",
            ["Edited by the DPO before the move"],
        )
        cursor.execute(
            "INSERT INTO processing_processingactivity (slug, name, position, purpose, "
            "legal_basis, legitimate_interest, balancing_summary, people_categories, "
            "data_categories, recipients, location, security_measures, updated_at) "
            "VALUES ('payroll', 'Payroll exports', 99, 'Send hours to payroll', "
            "'contract', '', '', 'Users', '[\"usage\"]', 'The client', 'uk', 'TLS', now()) "
            "RETURNING id"
        )
        (activity_id,) = cursor.fetchone()
        cursor.execute(
            "INSERT INTO processing_processor (activity_id, name, region, safeguards) "
            "VALUES (%s, 'Payroll bureau', 'United Kingdom', 'Article 28 contract')",
            [activity_id],
        )


def test_migrating_the_old_layout_keeps_every_disclosure_and_processing_row():
    """GIVEN a database at the migrations before the move, with disclosures, the people they
    concerned, an edited processing activity, a new one and its processor
    WHEN it migrates to today's migrations
    THEN every row is where it was, unchanged, and records' models find each one; a disclosure
    from before views were counted was seen once."""
    ann, bob = UserFactory(), UserFactory()
    organisation = OrganisationFactory()
    executor = MigrationExecutor(connection)
    executor.migrate([BEFORE_THE_MOVE])
    old_apps = executor.loader.project_state([BEFORE_THE_MOVE]).apps
    OldDisclosure = old_apps.get_model("audit", "Disclosure")
    OldDisclosureSubject = old_apps.get_model("audit", "DisclosureSubject")
    for n, people in enumerate([(ann, bob), (bob,)]):
        disclosure = OldDisclosure.objects.create(
            occurred_at=datetime.datetime(2026, 11, 1 + n, 9, tzinfo=datetime.UTC),
            recipient_type="regulator",
            recipient="Information Commissioner's Office",
            organisation_id=organisation.pk,
            legal_basis="Legal obligation",
            categories=["contact"],
            description=f"Old disclosure {n}",
            reference=f"ICO/OLD/{n}",
            disclosed_by_label="system",
            subject_count=len(people),
        )
        for person in people:
            OldDisclosureSubject.objects.create(disclosure=disclosure, user_id=person.pk)
    write_the_old_processing_rows()
    before = {table: table_rows(table) for table in MOVED_TABLES}

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())

    applied = MigrationRecorder(connection).applied_migrations()
    assert ("records", "0001_initial") in applied
    assert ("audit", "0007_disclosures_to_records") in applied
    for table, model in MOVED_TABLES.items():
        # Columns added since come last: every old column keeps its value, but for the seeded
        # marketing activity, which records/0006 moves from legitimate interests to consent.
        assert [
            row[: len(old)]
            for row, old in zip(table_rows(table), before[table], strict=True)
            if "marketing" not in row
        ] == [row for row in before[table] if "marketing" not in row], table
        assert sorted(model.objects.values_list("pk", flat=True)) == [
            row[0] for row in before[table]
        ], model.__name__
    assert ProcessingActivity.objects.get(slug="marketing").legal_basis == "consent"
    assert len(before["audit_disclosuresubject"]) == 3
    first = Disclosure.objects.get(reference="ICO/OLD/0")
    assert set(first.subjects.values_list("user_id", flat=True)) == {ann.pk, bob.pk}
    assert (first.views, first.repeat_key) == (1, "")
    assert ProcessingActivity.objects.get(slug="support").purpose == (
        "Edited by the DPO before the move"
    )
    payroll = ProcessingActivity.objects.get(slug="payroll")
    assert [processor.name for processor in payroll.processors.all()] == ["Payroll bureau"]
    assert "Article 28 contract" in payroll.processors.get().notes
