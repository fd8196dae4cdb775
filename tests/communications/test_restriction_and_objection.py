"""Marketing sends ask may_process too: a restricted person, or one whose objection to
marketing was upheld, gets no marketing even with topics ticked; an objection to another
purpose leaves their newsletter alone."""

import pytest
from django.utils import timezone

from accounts.models import PurposeObjection
from communications.selectors import may_send_marketing
from communications.services import marketing_send
from datamap.purposes import Purpose
from tests.factories import CommunicationPreferencesFactory, UserFactory

pytestmark = pytest.mark.django_db


def subscriber(email, **fields):
    user = UserFactory(email=email, **fields)
    CommunicationPreferencesFactory(user=user, newsletter=True)
    return user


def test_restricted_and_objecting_people_get_no_marketing(mailoutbox):
    subscriber("reader@example.test")
    restricted = subscriber("restricted@example.test", processing_restricted_at=timezone.now())
    objector = subscriber("objector@example.test")
    PurposeObjection.objects.create(user=objector, purpose=Purpose.MARKETING)
    reports_only = subscriber("reports-only@example.test")
    PurposeObjection.objects.create(user=reports_only, purpose=Purpose.USAGE)

    sent = marketing_send(topic="newsletter", subject="Spring news", body="Hello.")

    assert sent == 2
    assert sorted(mail.to[0] for mail in mailoutbox) == [
        "reader@example.test",
        "reports-only@example.test",
    ]
    assert not may_send_marketing(restricted, "newsletter")
    assert not may_send_marketing(objector, "newsletter")
    assert may_send_marketing(reports_only, "newsletter")
