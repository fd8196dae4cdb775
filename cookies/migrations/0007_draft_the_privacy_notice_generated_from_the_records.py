"""A draft of the privacy notice in the company's words, section by section, for the DPO to
review and publish: the tables (data, purposes, legitimate interests, service providers,
retention, cookies) are generated from the records when it is published.

A draft already in progress keeps its text and gains these sections."""

from django.db import migrations

from cookies.notice.defaults import CHANGE_NOTE, INTRODUCTION, SECTIONS


def draft(apps, schema_editor):
    PolicyVersion = apps.get_model("cookies", "PolicyVersion")
    existing = PolicyVersion.objects.filter(kind="privacy", published_at__isnull=True).first()
    if existing is not None:
        if not existing.sections:
            existing.sections = SECTIONS
            existing.save(update_fields=["sections"])
        return
    PolicyVersion.objects.create(
        kind="privacy", body=INTRODUCTION, sections=SECTIONS, change_note=CHANGE_NOTE
    )


def undraft(apps, schema_editor):
    PolicyVersion = apps.get_model("cookies", "PolicyVersion")
    PolicyVersion.objects.filter(
        kind="privacy", published_at__isnull=True, change_note=CHANGE_NOTE
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("cookies", "0006_notice_versions_keep_text_changes_and_emails")]

    operations = [migrations.RunPython(draft, undraft)]
