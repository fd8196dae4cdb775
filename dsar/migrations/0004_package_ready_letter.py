"""The letter that tells a requester their copy is ready, for the DPO to edit like the others.
A database seeded by 0002 after this letter was written has it already."""

from django.db import migrations

KEY = "package_ready"
TITLE = "Your data is ready: request {reference}"
BODY = (
    "Hello {name},\n\nThe copy of your data you asked for (request {reference}) is ready. "
    "Open your request page to download it; for your safety we e-mail you a code first. "
    "It can be downloaded until {expires_on}.\n\n{status_url}\n\n{dpo_signature}"
)


def seed(apps, schema_editor):
    LetterTemplate = apps.get_model("dsar", "LetterTemplate")
    LetterTemplate.objects.get_or_create(key=KEY, defaults={"title": TITLE, "body": BODY})


def unseed(apps, schema_editor):
    apps.get_model("dsar", "LetterTemplate").objects.filter(key=KEY, body=BODY).delete()


class Migration(migrations.Migration):
    dependencies = [("dsar", "0003_answers_without_greeting")]

    operations = [migrations.RunPython(seed, unseed)]
