"""The processors kept per activity become the processor register (records 0004): every old
row survives as a link from its activity to one register entry per provider."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from records.models import Processor
from records.selectors import register_entry

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("requires_postgres"),
]

BEFORE_THE_REGISTER = ("records", "0003_disclosure_views")


def test_migrating_keeps_every_per_activity_processor_in_the_register():
    """GIVEN a record of processing before the register: the seeded processors, plus one
    provider named on two activities with two regions, and one whose region names no country
    WHEN it migrates to today's migrations
    THEN each provider is one register entry, linked to every activity that named it, with the
    countries its regions name and its old text in its notes; what the old rows never said is
    shown as still to record, and the seeded providers are filled in from the defaults."""
    executor = MigrationExecutor(connection)
    executor.migrate([BEFORE_THE_REGISTER])
    old_apps = executor.loader.project_state([BEFORE_THE_REGISTER]).apps
    Activity = old_apps.get_model("records", "ProcessingActivity")
    OldProcessor = old_apps.get_model("records", "Processor")
    support = Activity.objects.get(slug="support")
    payroll = Activity.objects.create(
        slug="payroll",
        name="Payroll exports",
        position=99,
        purpose="Send hours to payroll",
        legal_basis="contract",
        people_categories="Users",
        data_categories=["usage"],
        recipients="The client",
        security_measures="TLS",
    )
    OldProcessor.objects.create(
        activity=payroll, name="Payroll bureau", region="United Kingdom", safeguards="Art. 28"
    )
    OldProcessor.objects.create(
        activity=support, name="Payroll bureau", region="Dublin, Ireland", safeguards="EU SCCs"
    )
    OldProcessor.objects.create(
        activity=payroll, name="Mystery vendor", region="Somewhere", safeguards="A contract"
    )
    old_links = {(row.activity.slug, row.name) for row in OldProcessor.objects.all()}
    assert len(old_links) > 10  # the seeded hosting and e-mail providers are there too

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())

    links = {(a.slug, p.name) for p in Processor.objects.all() for a in p.activities.all()}
    assert old_links <= links
    bureau = Processor.objects.get(name="Payroll bureau")
    assert bureau.storage_countries == ["GB", "IE"]
    assert sorted(bureau.data_categories) == sorted({"usage", *support.data_categories})
    assert "United Kingdom: Art. 28" in bureau.notes and "Dublin, Ireland: EU SCCs" in bureau.notes
    assert "a safeguard for Ireland" in register_entry(bureau).missing
    mystery = register_entry(Processor.objects.get(name="Mystery vendor"))
    assert "where it stores the data" in mystery.missing
    hosting = Processor.objects.get(name="Cloud hosting provider")
    assert hosting.service and hosting.backup_countries == ["GB"]
    assert Processor.objects.get(name="Microsoft 365").backup_countries == ["IE", "NL"]
