"""On PostgreSQL, refuse TRUNCATE of the trail, and UPDATE, DELETE and TRUNCATE of its anchors.

TRUNCATE fires no row trigger, so 0002's trigger never saw it: a statement trigger does. Only
the table owner can disable these (ALTER TABLE ... DISABLE TRIGGER), and under docker compose
the app runs as another role (0006).
"""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION audit_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION '% is append-only (% refused)', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER audit_entry_no_truncate
    BEFORE TRUNCATE ON audit_auditentry
    FOR EACH STATEMENT EXECUTE FUNCTION audit_append_only();

CREATE TRIGGER audit_anchor_append_only
    BEFORE UPDATE OR DELETE ON audit_auditanchor
    FOR EACH ROW EXECUTE FUNCTION audit_append_only();

CREATE TRIGGER audit_anchor_no_truncate
    BEFORE TRUNCATE ON audit_auditanchor
    FOR EACH STATEMENT EXECUTE FUNCTION audit_append_only();
"""

DROP = """
DROP TRIGGER IF EXISTS audit_anchor_no_truncate ON audit_auditanchor;
DROP TRIGGER IF EXISTS audit_anchor_append_only ON audit_auditanchor;
DROP TRIGGER IF EXISTS audit_entry_no_truncate ON audit_auditentry;
DROP FUNCTION IF EXISTS audit_append_only();
"""


def create_triggers(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)


def drop_triggers(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [("audit", "0004_keyed_chain_and_anchors")]

    operations = [migrations.RunPython(create_triggers, drop_triggers)]
