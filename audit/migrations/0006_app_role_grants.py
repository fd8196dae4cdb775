"""With DATABASE_APP_ROLE set (docker compose: migrations run as the owner, the app as that
role), the app role may only INSERT and SELECT on the trail and its anchors.

The owner's default privileges (deploy/postgres/) give the app role everything on the tables
later migrations create; this takes the audit tables back to append and read. A migration that
creates another audit table must do the same for it.
"""

from django.conf import settings
from django.db import migrations

AUDIT_TABLES = ("audit_auditentry", "audit_auditanchor")


def app_role_grants_sql(role: str, quote_name) -> list[str]:
    tables = ", ".join(quote_name(table) for table in AUDIT_TABLES)
    role = quote_name(role)
    return [
        f"REVOKE ALL ON {tables} FROM {role}",
        f"GRANT SELECT, INSERT ON {tables} TO {role}",
        *(
            f"GRANT USAGE, SELECT ON SEQUENCE "
            f"{quote_name(table + '_id_seq')} TO {role}"
            for table in AUDIT_TABLES
        ),
    ]


def restrict_app_role(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql" or not settings.DATABASE_APP_ROLE:
        return
    for sql in app_role_grants_sql(settings.DATABASE_APP_ROLE, schema_editor.quote_name):
        schema_editor.execute(sql, params=None)


class Migration(migrations.Migration):
    dependencies = [("audit", "0005_truncate_refused")]

    operations = [migrations.RunPython(restrict_app_role, migrations.RunPython.noop)]
