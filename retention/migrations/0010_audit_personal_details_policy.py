"""The audit trail's retention policy: no longer "never purged" but "personal details removed
AUDIT_PERSONAL_DETAILS_DAYS after each entry" (audit migration 0009 made that possible without
breaking the chain).

Only the policy as 0002 seeded it, untouched, or as this release seeds it, is moved; one the DPO
changed is left alone. The reverse puts back the old default only where this one stands.
"""

from django.conf import settings
from django.db import migrations

from retention.defaults import DEFAULT_POLICIES

CATEGORY = "audit"
BEFORE = (
    "indefinite",
    2190,
    "data_map",
    "The audit trail is append-only, hash-chained evidence of accountability: never "
    "purged by the schedule (deleting its oldest entries would break the chain).",
)


def _now_default():
    return next(default for default in DEFAULT_POLICIES if default.category == CATEGORY)


def move_audit_policy(apps, schema_editor):
    RetentionPolicy = apps.get_model("retention", "RetentionPolicy")
    now = _now_default()
    policy = RetentionPolicy.objects.filter(category=CATEGORY).first()
    if policy is None:
        RetentionPolicy.objects.create(
            category=CATEGORY,
            basis=now.basis,
            days=settings.AUDIT_PERSONAL_DETAILS_DAYS,
            action=now.action,
            rationale=now.rationale,
        )
        return
    untouched = (now.basis, now.days, now.action, now.rationale)
    if (policy.basis, policy.days, policy.action, policy.rationale) in (BEFORE, untouched):
        policy.basis = now.basis
        policy.days = settings.AUDIT_PERSONAL_DETAILS_DAYS
        policy.rationale = now.rationale
        policy.save(update_fields=["basis", "days", "rationale"])


def move_back(apps, schema_editor):
    RetentionPolicy = apps.get_model("retention", "RetentionPolicy")
    now = _now_default()
    RetentionPolicy.objects.filter(
        category=CATEGORY, basis=now.basis, action=now.action, rationale=now.rationale
    ).update(basis=BEFORE[0], days=BEFORE[1], rationale=BEFORE[3])


class Migration(migrations.Migration):
    dependencies = [("retention", "0009_disclosures_admin_log_ledger_policies")]

    operations = [migrations.RunPython(move_audit_policy, move_back)]
