"""The purposes every point of processing names are the record of processing's activities:
one activity per purpose and one purpose per activity; what a person may object to follows
the legal bases the DPO keeps in the record."""

import pytest

from datamap.entries import LegalBasis
from datamap.purposes import (
    CONTINUES_AFTER_OBJECTION,
    STOPPABLE_ON_OBJECTION,
    Purpose,
    legitimate_interest_purposes,
)
from records.defaults import ACTIVITIES
from records.models import ProcessingActivity

pytestmark = pytest.mark.django_db


def test_every_purpose_has_an_activity_and_every_activity_a_purpose():
    assert {spec["slug"] for spec in ACTIVITIES} == set(Purpose.values)
    assert set(ProcessingActivity.objects.values_list("slug", flat=True)) == set(Purpose.values)


def test_the_purposes_one_may_object_to_are_those_on_legitimate_interests_in_the_record():
    seeded = {
        Purpose(spec["slug"])
        for spec in ACTIVITIES
        if spec["legal_basis"] == LegalBasis.LEGITIMATE_INTERESTS
    }
    assert set(legitimate_interest_purposes()) == seeded
    # Each one an objection either stops or, continuing, explains.
    assert seeded <= STOPPABLE_ON_OBJECTION | set(CONTINUES_AFTER_OBJECTION)

    ProcessingActivity.objects.filter(slug=Purpose.SUPPORT).update(legal_basis="contract")
    assert Purpose.SUPPORT not in legitimate_interest_purposes()
