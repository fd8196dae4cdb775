"""With DATABASE_APP_ROLE set, the app role may UPDATE exactly the columns a blanking of
personal details writes (a column-level GRANT); 0009's trigger refuses any other change, and
0006 left it INSERT and SELECT on the rest."""

from django.conf import settings
from django.db import migrations

BLANKED_COLUMNS = (
    "actor_label",
    "target_label",
    "ip_address",
    "details",
    "erased_fields",
    "erased_at",
)


def app_role_update_sql(role: str, quote_name) -> str:
    columns = ", ".join(quote_name(column) for column in BLANKED_COLUMNS)
    return f"GRANT UPDATE ({columns}) ON {quote_name('audit_auditentry')} TO {quote_name(role)}"


def grant(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql" or not settings.DATABASE_APP_ROLE:
        return
    schema_editor.execute(
        app_role_update_sql(settings.DATABASE_APP_ROLE, schema_editor.quote_name), params=None
    )


def revoke(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql" or not settings.DATABASE_APP_ROLE:
        return
    quote = schema_editor.quote_name
    columns = ", ".join(quote(column) for column in BLANKED_COLUMNS)
    schema_editor.execute(
        f"REVOKE UPDATE ({columns}) ON {quote('audit_auditentry')} "
        f"FROM {quote(settings.DATABASE_APP_ROLE)}",
        params=None,
    )


class Migration(migrations.Migration):
    dependencies = [("audit", "0009_convert_to_committed_scheme")]

    operations = [migrations.RunPython(grant, revoke)]
