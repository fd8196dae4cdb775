"""The "does not apply" answers lose their own greeting and signature: the completion letter
that carries them has both. A letter the DPO has edited is left as it is."""

from django.db import migrations

OLD = {
    "portability_not_applicable": (
        "Hello {name},\n\nThe right to data portability applies to data we process on the "
        "basis of your consent or of a contract with you. We process your data on the basis of "
        "our legitimate interests and our contract with your employer, so the right does not "
        "apply. You can still ask for a copy of your data with an access request.\n\n"
        "{dpo_signature}"
    ),
    "consent_withdrawal_not_applicable": (
        "Hello {name},\n\nWe do not rely on your consent to process your personal data: we "
        "process it on the basis of our legitimate interests and our contract with your "
        "employer, so there is no consent to withdraw. You can object to processing on "
        "legitimate interests, or to direct marketing, at any time.\n\n{dpo_signature}"
    ),
}


def seed(apps, schema_editor):
    # Imported when the migration runs, not when the loader reads every migration file.
    from dsar.services.letters import DEFAULT_LETTERS

    LetterTemplate = apps.get_model("dsar", "LetterTemplate")
    for key, old_body in OLD.items():
        LetterTemplate.objects.filter(key=key, body=old_body).update(body=DEFAULT_LETTERS[key][1])


class Migration(migrations.Migration):
    dependencies = [("dsar", "0002_seed_letters")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
