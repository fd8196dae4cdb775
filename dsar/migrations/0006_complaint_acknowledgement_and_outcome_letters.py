"""The complaint letters under the Data (Use and Access) Act 2025: the acknowledgement names
the day of receipt and promises no fixed date (it may go before the clock of a rights request
starts), and a new letter gives the outcome with the right to complain to the ICO. A letter
the DPO has edited is left as it is; a database seeded by 0002 after this change has both."""

from django.db import migrations

OLD_ACKNOWLEDGEMENT = (
    "Hello {name},\n\nThank you for your complaint, reference {reference}. It goes to our "
    "Data Protection Officer, who you can reach at {dpo_email}. We will answer by {due_on}. "
    "You also have the right to complain to {ico}.\n\nFollow it here: {status_url}\n\n"
    "{dpo_signature}"
)
ACKNOWLEDGEMENT = (
    "Hello {name},\n\nThank you for your complaint, reference {reference}, which we "
    "received on {received_on}. Our Data Protection Officer, who you can reach at "
    "{dpo_email}, will look into it, keep you informed of progress and tell you the outcome "
    "without undue delay.\n\nFollow it here: {status_url}\n\nYou also have the right to "
    "complain to {ico}.\n\n{dpo_signature}"
)
OUTCOME_TITLE = "The outcome of your complaint {reference}"
OUTCOME = (
    "Hello {name},\n\nWe have looked into your complaint {reference}, received on "
    "{received_on}, and {decision}.\n\n{message}\n\nIf you are not satisfied with this "
    "outcome, you have the right to complain to {ico}. The ICO oversees the processing of "
    "personal data in the United Kingdom.\n\n{dpo_signature}"
)


def seed(apps, schema_editor):
    LetterTemplate = apps.get_model("dsar", "LetterTemplate")
    LetterTemplate.objects.filter(key="complaint_acknowledgement", body=OLD_ACKNOWLEDGEMENT).update(
        body=ACKNOWLEDGEMENT
    )
    LetterTemplate.objects.get_or_create(
        key="complaint_outcome", defaults={"title": OUTCOME_TITLE, "body": OUTCOME}
    )


def unseed(apps, schema_editor):
    LetterTemplate = apps.get_model("dsar", "LetterTemplate")
    LetterTemplate.objects.filter(key="complaint_outcome", body=OUTCOME).delete()
    LetterTemplate.objects.filter(key="complaint_acknowledgement", body=ACKNOWLEDGEMENT).update(
        body=OLD_ACKNOWLEDGEMENT
    )


class Migration(migrations.Migration):
    dependencies = [("dsar", "0005_complaint_acknowledgement_clock_and_outcome")]

    operations = [migrations.RunPython(seed, unseed)]
