"""The single objection flag goes once 0011 has copied it into per-purpose objections: in a
migration of its own, as PostgreSQL refuses to alter a table in the transaction whose inserts
(the objections) still have deferred foreign-key checks pending on it."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("accounts", "0011_purpose_objections")]

    operations = [
        migrations.RemoveField(model_name="user", name="objection_upheld_at"),
    ]
