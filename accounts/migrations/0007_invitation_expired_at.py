"""Invitations get ``expired_at``; every row is kept, and those whose 72 hours already passed
unaccepted are marked expired at the moment they lapsed, as the beat task would have done."""

from django.db import migrations, models
from django.db.models import F
from django.utils import timezone


def mark_lapsed(apps, schema_editor):
    Invitation = apps.get_model("accounts", "Invitation")
    Invitation.objects.filter(
        accepted_at__isnull=True, expired_at__isnull=True, expires_at__lte=timezone.now()
    ).update(expired_at=F("expires_at"))


class Migration(migrations.Migration):
    dependencies = [("accounts", "0006_security_models_moved")]

    operations = [
        migrations.AddField(
            model_name="invitation",
            name="expired_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.RunPython(mark_lapsed, migrations.RunPython.noop),
    ]
