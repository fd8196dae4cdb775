"""The records app takes over the disclosure log (from audit) and the record of processing (from
the processing app, which is gone), keeping every table and row.

- Disclosures: state only. audit's 0003 created the tables and audit's 0007 forgets the
  models; a fresh database gets the tables from audit's 0003, an old one keeps them.
- Processing: the processing app's migrations no longer run, so its tables are created here
  only when missing (a fresh database); a deployment that ran them keeps tables and rows.
  Their rows in django_migrations ("processing", 0001 and 0002) are left alone: Django ignores
  migrations of an app it does not know, and they record what that database went through.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

PROCESSING_MODELS = ("ProcessingActivity", "Processor")  # in order: a processor names its activity


def create_processing_tables_if_missing(apps, schema_editor):
    existing = set(schema_editor.connection.introspection.table_names())
    for name in PROCESSING_MODELS:
        model = apps.get_model("records", name)
        if model._meta.db_table not in existing:
            schema_editor.create_model(model)


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("accounts", "0001_initial"),
        ("audit", "0007_disclosures_to_records"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="Disclosure",
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
                        ("occurred_at", models.DateTimeField(db_index=True)),
                        (
                            "recipient_type",
                            models.CharField(
                                choices=[
                                    ("client", "Client (the employer)"),
                                    ("service_provider", "Service provider"),
                                    ("regulator", "Regulator"),
                                    ("law_enforcement", "Law enforcement"),
                                ],
                                max_length=20,
                            ),
                        ),
                        ("recipient", models.CharField(max_length=200)),
                        ("legal_basis", models.CharField(max_length=200)),
                        ("categories", models.JSONField(default=list)),
                        ("description", models.CharField(max_length=300)),
                        ("reference", models.CharField(blank=True, max_length=100)),
                        ("disclosed_by_label", models.CharField(blank=True, max_length=254)),
                        ("subject_count", models.PositiveIntegerField(default=0)),
                        (
                            "disclosed_by",
                            models.ForeignKey(
                                blank=True,
                                db_constraint=False,
                                null=True,
                                on_delete=django.db.models.deletion.DO_NOTHING,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "organisation",
                            models.ForeignKey(
                                blank=True,
                                db_constraint=False,
                                null=True,
                                on_delete=django.db.models.deletion.DO_NOTHING,
                                related_name="+",
                                to="accounts.organisation",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "audit_disclosure",
                        "ordering": ["-occurred_at"],
                    },
                ),
                migrations.CreateModel(
                    name="DisclosureSubject",
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
                        (
                            "disclosure",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="subjects",
                                to="records.disclosure",
                            ),
                        ),
                        (
                            "user",
                            models.ForeignKey(
                                db_constraint=False,
                                on_delete=django.db.models.deletion.DO_NOTHING,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                    ],
                    options={
                        "db_table": "audit_disclosuresubject",
                        "constraints": [
                            models.UniqueConstraint(
                                fields=("disclosure", "user"), name="disclosure_subject_unique"
                            )
                        ],
                    },
                ),
                migrations.CreateModel(
                    name="ProcessingActivity",
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
                        ("slug", models.SlugField(max_length=60, unique=True)),
                        ("name", models.CharField(max_length=120)),
                        ("position", models.PositiveSmallIntegerField(default=0)),
                        ("purpose", models.TextField(max_length=2000)),
                        (
                            "legal_basis",
                            models.CharField(
                                choices=[
                                    ("contract", "Performance of a contract"),
                                    ("legitimate_interests", "Legitimate interests"),
                                    ("legal_obligation", "Legal obligation"),
                                    ("consent", "Consent"),
                                ],
                                max_length=30,
                            ),
                        ),
                        (
                            "legitimate_interest",
                            models.CharField(
                                blank=True,
                                choices=[
                                    ("goods_and_services", "Access to goods and services"),
                                    ("product_development", "Product development"),
                                    ("security", "Security of data and systems"),
                                    ("customer_relationships", "Customer relationships"),
                                    ("commercial", "Commercial interests"),
                                ],
                                max_length=30,
                            ),
                        ),
                        (
                            "balancing_summary",
                            models.TextField(
                                blank=True,
                                help_text="For legitimate interests: why the interest is not overridden by the rights and interests of the people concerned.",
                                max_length=3000,
                            ),
                        ),
                        (
                            "people_categories",
                            models.TextField(max_length=1000, verbose_name="categories of people"),
                        ),
                        (
                            "data_categories",
                            models.JSONField(
                                default=list,
                                help_text="The data-map categories this activity covers.",
                            ),
                        ),
                        ("recipients", models.TextField(max_length=1000)),
                        (
                            "location",
                            models.CharField(
                                choices=[("uk", "United Kingdom")], default="uk", max_length=10
                            ),
                        ),
                        ("security_measures", models.TextField(max_length=2000)),
                        ("updated_at", models.DateTimeField(auto_now=True)),
                    ],
                    options={
                        "db_table": "processing_processingactivity",
                        "verbose_name_plural": "processing activities",
                        "ordering": ["position", "name"],
                    },
                ),
                migrations.CreateModel(
                    name="Processor",
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
                        ("name", models.CharField(max_length=120)),
                        ("region", models.CharField(default="United Kingdom", max_length=120)),
                        ("safeguards", models.CharField(max_length=300)),
                        (
                            "activity",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="processors",
                                to="records.processingactivity",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "processing_processor",
                        "ordering": ["name", "id"],
                    },
                ),
            ],
            database_operations=[],
        ),
        # Reversing keeps the tables: on a deployment they hold the DPO's record.
        migrations.RunPython(create_processing_tables_if_missing, migrations.RunPython.noop),
    ]
