"""The marketing activity rests on consent: the newsletter, webinars and product news go only
to people who ticked them. Moved from legitimate interests only where the DPO never edited
the seeded activity; an edited one is the DPO's to change."""

from django.db import migrations

from records.defaults import MARKETING_PEOPLE, MARKETING_PURPOSE

SEEDED_ON_LEGITIMATE_INTERESTS = {
    "legal_basis": "legitimate_interests",
    "legitimate_interest": "commercial",
    "purpose": "Send product news to clients' contacts who have not objected; stop at once on "
    "objection.",
}


def to_consent(apps, schema_editor):
    ProcessingActivity = apps.get_model("records", "ProcessingActivity")
    ProcessingActivity.objects.filter(slug="marketing", **SEEDED_ON_LEGITIMATE_INTERESTS).update(
        legal_basis="consent",
        legitimate_interest="",
        balancing_summary="",
        purpose=MARKETING_PURPOSE,
        people_categories=MARKETING_PEOPLE,
    )


def to_legitimate_interests(apps, schema_editor):
    ProcessingActivity = apps.get_model("records", "ProcessingActivity")
    ProcessingActivity.objects.filter(
        slug="marketing", legal_basis="consent", purpose=MARKETING_PURPOSE
    ).update(
        **SEEDED_ON_LEGITIMATE_INTERESTS,
        balancing_summary="Business contacts of our clients expect news about a product their "
        "employer uses; every message offers an opt-out, honoured at once.",
        people_categories="Users and client admins who have not opted out.",
    )


class Migration(migrations.Migration):
    dependencies = [("records", "0005_seed_processor_register")]

    operations = [migrations.RunPython(to_consent, to_legitimate_interests)]
