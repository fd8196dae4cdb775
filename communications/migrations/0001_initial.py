# The models below moved here from accounts. Their tables stay where accounts made them
# (db_table): this migration only tells Django's state that communications owns them now, and
# accounts 0005 stops accounts owning them. A database of the release before keeps every row.

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

MOVED = ("communicationpreferences", "marketingsend", "marketingdelivery")


def _relabel_content_types(apps, schema_editor, *, source: str, target: str) -> None:
    """Carry the models' content types (and so their permissions) over to the new app label.

    A fresh database has none yet: post_migrate creates them under the new label."""
    ContentType = apps.get_model("contenttypes", "ContentType")
    content_types = ContentType.objects.using(schema_editor.connection.alias)
    for model in MOVED:
        if not content_types.filter(app_label=target, model=model).exists():
            content_types.filter(app_label=source, model=model).update(app_label=target)


def content_types_forwards(apps, schema_editor):
    _relabel_content_types(apps, schema_editor, source="accounts", target="communications")


def content_types_backwards(apps, schema_editor):
    _relabel_content_types(apps, schema_editor, source="communications", target="accounts")


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        # The tables were made by accounts 0001 and 0003; 0004 is the last before the move.
        ("accounts", "0004_email_changes"),
        ("contenttypes", "0002_remove_content_type_name"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.CreateModel(
                    name="MarketingSend",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        ("key", models.CharField(max_length=64, unique=True)),
                        (
                            "topic",
                            models.CharField(
                                choices=[
                                    ("newsletter", "Newsletter"),
                                    ("webinars", "Webinar invitations"),
                                    ("product_updates", "Product information and updates"),
                                ],
                                max_length=20,
                            ),
                        ),
                        ("subject", models.CharField(max_length=200)),
                        ("created_at", models.DateTimeField(default=django.utils.timezone.now)),
                    ],
                    options={"db_table": "accounts_marketingsend"},
                ),
                migrations.CreateModel(
                    name="CommunicationPreferences",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        ("newsletter", models.BooleanField(default=False)),
                        ("webinars", models.BooleanField(default=False)),
                        ("product_updates", models.BooleanField(default=False)),
                        (
                            "marketing_objection_at",
                            models.DateTimeField(
                                blank=True,
                                help_text="An objection to direct marketing stops every send.",
                                null=True,
                            ),
                        ),
                        ("updated_at", models.DateTimeField(auto_now=True)),
                        (
                            "user",
                            models.OneToOneField(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="communication_preferences",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                    ],
                    options={
                        "verbose_name_plural": "communication preferences",
                        "db_table": "accounts_communicationpreferences",
                    },
                ),
                migrations.CreateModel(
                    name="MarketingDelivery",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        ("sent_at", models.DateTimeField(default=django.utils.timezone.now)),
                        (
                            "user",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "send",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="deliveries",
                                to="communications.marketingsend",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "accounts_marketingdelivery",
                        "constraints": [
                            models.UniqueConstraint(
                                fields=("send", "user"), name="marketing_delivery_once"
                            )
                        ],
                    },
                ),
            ],
        ),
        migrations.RunPython(content_types_forwards, content_types_backwards),
    ]
