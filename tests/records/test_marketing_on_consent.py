"""Marketing rests on consent (only the topics a person ticked are sent): records/0006 moves
the seeded activity there and leaves one the DPO edited as the DPO wrote it."""

import importlib

import pytest
from django.apps import apps

from records.models import ProcessingActivity

pytestmark = pytest.mark.django_db

MIGRATION = importlib.import_module("records.migrations.0006_marketing_on_consent")


def test_the_seeded_marketing_activity_rests_on_consent():
    marketing = ProcessingActivity.objects.get(slug="marketing")
    assert (marketing.legal_basis, marketing.legitimate_interest) == ("consent", "")
    assert "asked for" in marketing.purpose


def test_the_migration_moves_the_seeded_activity_and_keeps_an_edited_one():
    MIGRATION.to_legitimate_interests(apps, None)
    assert ProcessingActivity.objects.get(slug="marketing").legal_basis == "legitimate_interests"
    MIGRATION.to_consent(apps, None)
    assert ProcessingActivity.objects.get(slug="marketing").legal_basis == "consent"

    MIGRATION.to_legitimate_interests(apps, None)
    ProcessingActivity.objects.filter(slug="marketing").update(purpose="Our DPO's own words")
    MIGRATION.to_consent(apps, None)
    edited = ProcessingActivity.objects.get(slug="marketing")
    assert (edited.legal_basis, edited.purpose) == ("legitimate_interests", "Our DPO's own words")
