"""The consent log is in the data map: exported with the subject's data, anonymised on erasure."""

import pytest

from cookies.models import ConsentRecord
from cookies.services import consent_record_create
from datamap import Category, Subject, registry
from datamap.engines import erase_subject, export_subject
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_the_consent_entry_uses_the_consent_category_and_retention_category():
    entry = registry.entry("cookies.consent")

    assert entry.category == Category.CONSENT
    assert entry.retention_category == "consent"
    assert entry.retention_field == "created_at"


def test_a_users_consent_records_are_exported_and_anonymised_on_erasure():
    member = UserFactory()
    consent_record_create(
        visitor_id="hash",
        user=member,
        accepted={"performance"},
        declined={"functionality"},
        policy_version=1,
        method="banner",
    )
    subject = Subject.of(user_ids=[member.pk])

    section = next(s for s in export_subject(subject) if s.entry.name == "cookies.consent")
    assert section.rows[0]["policy_version"] == 1
    assert section.rows[0]["method"] == "banner"
    erase_subject(subject)

    record = ConsentRecord.objects.get()
    assert record.user is None
    assert record.accepted_list == ["performance"]
