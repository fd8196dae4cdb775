"""With DATABASE_APP_ROLE set (docker compose: migrations run as the owner, the app as that
role), the partitioned usage-event table and its partitions belong to the app role.

Only a table's owner may add, detach, rename or drop its partitions, and the app does all of
that at run time (usage.partitions ahead of each month; the retention purge's DETACH and DROP).
The owner is a member of the app role (deploy/postgres/), so later migrations still reach them.
"""

from django.conf import settings
from django.db import migrations

TABLE = "usage_usageevent"


def hand_usage_events_to_app_role(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql" or not settings.DATABASE_APP_ROLE:
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(
            "SELECT inhrelid::regclass::text FROM pg_inherits WHERE inhparent = %s::regclass",
            [TABLE],
        )
        partitions = [name for (name,) in cursor.fetchall()]
    role = schema_editor.quote_name(settings.DATABASE_APP_ROLE)
    for table in [TABLE, *partitions]:
        schema_editor.execute(f"ALTER TABLE {table} OWNER TO {role}", params=None)


class Migration(migrations.Migration):
    dependencies = [("usage", "0004_dead_letters")]

    operations = [migrations.RunPython(hand_usage_events_to_app_role, migrations.RunPython.noop)]
