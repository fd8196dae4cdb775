"""The chain becomes keyed (HMAC-SHA256), and its head is anchored outside the trail.

Every existing entry keeps its row and its unkeyed SHA-256 (scheme 1); every new one is keyed
(scheme 2) and the first of them chains to the last old one. The cut-over is recorded as the
first anchor, itself keyed: unkeyed entries verify only up to it, so one written later,
without the key, is caught.
"""

from django.db import migrations, models
from django.utils import timezone

from audit.chain import GENESIS_HASH, Scheme, anchor_mac


def record_cutover(apps, schema_editor):
    AuditEntry = apps.get_model("audit", "AuditEntry")
    AuditAnchor = apps.get_model("audit", "AuditAnchor")
    entries = AuditEntry.objects.using(schema_editor.connection.alias)
    head = entries.order_by("-id").values_list("id", "hash").first()
    if head is None:
        return
    created_at = timezone.now()
    AuditAnchor.objects.using(schema_editor.connection.alias).create(
        created_at=created_at,
        kind="cutover",
        entry_id=head[0],
        entry_hash=head[1] or GENESIS_HASH,
        entries=entries.count(),
        mac=anchor_mac(
            kind="cutover", entry_id=head[0], entry_hash=head[1], created_at=created_at
        ),
    )


class Migration(migrations.Migration):
    dependencies = [("audit", "0003_disclosures")]

    operations = [
        migrations.AddField(
            model_name="auditentry",
            name="scheme",
            field=models.PositiveSmallIntegerField(
                choices=Scheme.choices, default=Scheme.SHA256
            ),
            preserve_default=False,
        ),
        migrations.CreateModel(
            name="AuditAnchor",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("created_at", models.DateTimeField()),
                (
                    "kind",
                    models.CharField(
                        choices=[
                            ("cutover", "Cut-over to the keyed chain"),
                            ("nightly", "Nightly"),
                            ("verify", "Verification on request"),
                        ],
                        max_length=10,
                    ),
                ),
                ("entry_id", models.BigIntegerField()),
                ("entry_hash", models.CharField(max_length=64)),
                (
                    "entries",
                    models.BigIntegerField(help_text="Entries in the chain up to the head."),
                ),
                ("mac", models.CharField(max_length=64)),
            ],
            options={"ordering": ["-id"]},
        ),
        migrations.RunPython(record_cutover, migrations.RunPython.noop),
    ]
