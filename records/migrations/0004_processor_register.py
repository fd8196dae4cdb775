"""The processor register replaces the processors kept per activity.

Before, each activity listed its processors as free text (name, region, safeguards), so one
provider appeared once per activity. Now each provider is one register entry linked to the
activities that use it. Every old row is carried over: rows of one name become one entry, linked
to each of their activities, with the categories of data those activities cover, the countries
their regions name, and their old region and safeguards text kept in the entry's notes. What the
old rows never said (the service, the agreement's date and clause) is left for the DPO to fill
in: the register shows such entries as incomplete.
"""

import re

import django.db.models.deletion
from django.db import migrations, models
from django_countries import countries

UK_WORDS = re.compile(r"\b(uk|u\.k\.|united kingdom|great britain|england|scotland|wales|london)\b")


def countries_named(text: str) -> list[str]:
    lowered = text.lower()
    found = ["GB"] if UK_WORDS.search(lowered) else []
    for code, name in countries:
        if code != "GB" and re.search(rf"\b{re.escape(str(name).lower())}\b", lowered):
            found.append(code)
    return found


def register_from_activity_processors(apps, schema_editor):
    ActivityProcessor = apps.get_model("records", "ActivityProcessor")
    Processor = apps.get_model("records", "Processor")
    groups: dict[str, list] = {}
    for row in ActivityProcessor.objects.select_related("activity").order_by("name", "id"):
        groups.setdefault(row.name.strip()[:120] or "Unnamed processor", []).append(row)
    for name, rows in groups.items():
        places, categories, notes = [], [], []
        for row in rows:
            for code in countries_named(row.region):
                if code not in places:
                    places.append(code)
            for category in row.activity.data_categories or []:
                if category not in categories:
                    categories.append(category)
            note = f"{row.region}: {row.safeguards}"
            if note not in notes:
                notes.append(note)
        processor = Processor.objects.create(
            name=name,
            service="",
            data_categories=categories,
            storage_countries=places,
            notes=("Before the register: " + " | ".join(notes))[:2000],
        )
        processor.activities.set({row.activity_id for row in rows})


def activity_processors_from_register(apps, schema_editor):
    ActivityProcessor = apps.get_model("records", "ActivityProcessor")
    Processor = apps.get_model("records", "Processor")
    names = dict(countries)
    for processor in Processor.objects.prefetch_related("activities"):
        region = ", ".join(str(names.get(c, c)) for c in processor.storage_countries)
        for activity in processor.activities.all():
            ActivityProcessor.objects.create(
                activity=activity,
                name=processor.name,
                region=(region or "United Kingdom")[:120],
                safeguards=(processor.notes or processor.service or "Processing agreement")[:300],
            )


class Migration(migrations.Migration):
    dependencies = [("records", "0003_disclosure_views")]

    operations = [
        migrations.RenameModel("Processor", "ActivityProcessor"),
        migrations.AlterField(
            model_name="activityprocessor",
            name="activity",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="records.processingactivity",
            ),
        ),
        migrations.CreateModel(
            name="Processor",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("name", models.CharField(max_length=120, unique=True)),
                (
                    "service",
                    models.TextField(max_length=500, verbose_name="what it does for us"),
                ),
                (
                    "data_categories",
                    models.JSONField(
                        default=list, help_text="The data-map categories the provider receives."
                    ),
                ),
                ("storage_countries", models.JSONField(default=list)),
                ("backup_countries", models.JSONField(blank=True, default=list)),
                (
                    "agreement_date",
                    models.DateField(
                        blank=True, null=True, verbose_name="data processing agreement dated"
                    ),
                ),
                (
                    "no_own_use_clause",
                    models.BooleanField(
                        default=False,
                        verbose_name="the agreement forbids use for the provider's own purposes",
                    ),
                ),
                ("sub_processors", models.JSONField(blank=True, default=list)),
                ("transfers", models.JSONField(blank=True, default=dict)),
                ("notes", models.TextField(blank=True, max_length=2000)),
                ("updated_at", models.DateTimeField(auto_now=True)),
                (
                    "activities",
                    models.ManyToManyField(
                        blank=True, related_name="processors", to="records.processingactivity"
                    ),
                ),
            ],
            options={"ordering": ["name", "id"]},
        ),
        migrations.RunPython(
            register_from_activity_processors, activity_processors_from_register
        ),
        migrations.DeleteModel("ActivityProcessor"),
    ]
