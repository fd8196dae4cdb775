"""On PostgreSQL, the usage events' and rollups' primary keys lead with the organisation.

Ready for Citus (docs/scaling.md): a distributed table's primary key and unique constraints
must hold its distribution column, organisation_id. Every row stays; only keys change:

- usage_usageevent (partitioned by month of occurred_at): (organisation_id, occurred_at, id),
  which replaces (id, occurred_at) and makes the (organisation_id, occurred_at) index
  redundant (dropped);
- the rollups and task sessions: (organisation_id, date, id); the daily usage's
  (organisation_id, date) index is then redundant (dropped). The date is in the key so that
  these tables can be partitioned by month too;
- the touched-day marks: (organisation_id, id).

Django keeps ``id`` as these models' primary key (an id from a sequence is unique on its own,
and SQLite cannot number a composite key); the tables' real keys are the ones above. On SQLite
(the embedded, single-node mode) nothing changes in the database: its (organisation, time)
indexes stay, outside the models' state.

Schema only, no data step. ADD PRIMARY KEY takes an exclusive lock while it builds the index:
on a large table see docs/scaling.md ("Migrating a large deployment").
"""

from django.db import migrations

ROLLUP_TABLES = (
    "usage_dailyusage",
    "usage_dailyuserusage",
    "usage_dailyfeatureusage",
    "usage_tasksession",
)


def _primary_key(table: str, columns: str) -> list[str]:
    return [
        f"ALTER TABLE {table} DROP CONSTRAINT {table}_pkey",
        f"ALTER TABLE {table} ADD CONSTRAINT {table}_pkey PRIMARY KEY ({columns})",
    ]


def organisation_first(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    statements = [
        *_primary_key("usage_usageevent", "organisation_id, occurred_at, id"),
        "DROP INDEX IF EXISTS usage_event_org_time",
        *[s for table in ROLLUP_TABLES for s in _primary_key(table, "organisation_id, date, id")],
        "DROP INDEX IF EXISTS usage_daily_org_date",
        *_primary_key("usage_usagedaytouched", "organisation_id, id"),
    ]
    for statement in statements:
        schema_editor.execute(statement, params=None)


def id_first(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    statements = [
        *_primary_key("usage_usageevent", "id, occurred_at"),
        "CREATE INDEX usage_event_org_time ON usage_usageevent (organisation_id, occurred_at)",
        *[s for table in ROLLUP_TABLES for s in _primary_key(table, "id")],
        "CREATE INDEX usage_daily_org_date ON usage_dailyusage (organisation_id, date)",
        *_primary_key("usage_usagedaytouched", "id"),
    ]
    for statement in statements:
        schema_editor.execute(statement, params=None)


class Migration(migrations.Migration):
    dependencies = [("usage", "0008_task_sessions")]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveIndex(model_name="usageevent", name="usage_event_org_time"),
                migrations.RemoveIndex(model_name="dailyusage", name="usage_daily_org_date"),
            ],
            database_operations=[migrations.RunPython(organisation_first, id_first)],
        ),
    ]
