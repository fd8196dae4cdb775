"""The marketing activity of the record of processing relies on consent, as the product does
(topics are opt-in; unticking one, the unsubscribe link or an objection stops it) and as the
privacy notice says. Only a record still as seeded changes: the DPO's own edits stay."""

from django.db import migrations

# As records.defaults says them now; copied, so that this migration never changes with it.
MARKETING_PURPOSE = (
    "Send newsletters, webinar invitations and product news to the people who ask for them "
    "(each topic ticked on their e-mail preferences page); stop at once when they untick it, "
    "unsubscribe or object."
)
MARKETING_PEOPLE = "Users and client admins who opted in."
SEEDED_PURPOSE = (
    "Send product news to clients' contacts who have not objected; stop at once on objection."
)


def rely_on_consent(apps, schema_editor):
    ProcessingActivity = apps.get_model("records", "ProcessingActivity")
    ProcessingActivity.objects.filter(
        slug="marketing",
        legal_basis="legitimate_interests",
        legitimate_interest="commercial",
        purpose=SEEDED_PURPOSE,
    ).update(
        legal_basis="consent",
        legitimate_interest="",
        balancing_summary="",
        purpose=MARKETING_PURPOSE,
        people_categories=MARKETING_PEOPLE,
    )


class Migration(migrations.Migration):
    dependencies = [("records", "0005_seed_processor_register")]

    operations = [migrations.RunPython(rely_on_consent, migrations.RunPython.noop)]
